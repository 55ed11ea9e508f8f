package dev.kvbatch.pack;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Strict validation of {@code jobs/packing.yaml}: each mistake an operator can make is
 * reported with the rule (or its position) and the reason.
 */
class RulesFileValidationTests {

	@Test
	void parsesRulesInFileOrder() {
		PackingRules rules = PackingRules.parse("""
				rules:
				  - name: b
				    match: "b:{x}"
				    pack: direct
				  - name: a
				    match: "a:{x}"
				    pack: map
				    key: "as"
				    field: "{x}"
				""");
		assertThat(rules.rules()).extracting(PackRule::name).containsExactly("b", "a");
		assertThat(rules.rules()).extracting(PackRule::kind).containsExactly(PackKind.DIRECT, PackKind.MAP);
	}

	@Test
	void acceptsAnEmptyRuleList() {
		assertThat(PackingRules.parse("rules: []").rules()).isEmpty();
	}

	@Test
	void rejectsAnUnknownPackKind() {
		assertInvalid(rule("pack: bundle\n    key: \"b\"\n    field: \"{x}\""),
				"rule \"r\" (rules[0]): unknown pack \"bundle\" (use map, rollup, counter or direct)");
		assertInvalid(rule("pack: MAP\n    key: \"b\"\n    field: \"{x}\""), "unknown pack \"MAP\"");
	}

	@Test
	void rejectsAKeyUsingAVariableMatchDoesNotCapture() {
		assertInvalid(rule("pack: map\n    key: \"b:{y}\"\n    field: \"{x}\""),
				"rule \"r\" (rules[0]): key \"b:{y}\" uses {y}, which match does not capture (it captures [x])");
		assertInvalid(rule("pack: map\n    key: \"b\"\n    field: \"{x}-{z:day}\""),
				"rule \"r\" (rules[0]): field \"{x}-{z:day}\" uses {z}");
	}

	@Test
	void rejectsMapAndRollupRulesWithoutFieldOrKey() {
		assertInvalid(rule("pack: map\n    key: \"b\""), "rule \"r\" (rules[0]): a map rule needs a field");
		assertInvalid(rule("pack: rollup\n    key: \"b\""), "rule \"r\" (rules[0]): a rollup rule needs a field");
		assertInvalid(rule("pack: map\n    field: \"{x}\""), "rule \"r\" (rules[0]): a map rule needs a key");
	}

	@Test
	void rejectsDuplicateRuleNames() {
		assertInvalid("""
				rules:
				  - name: r
				    match: "a:{x}"
				    pack: direct
				  - name: r
				    match: "b:{x}"
				    pack: direct
				""", "rule \"r\" (rules[1]): duplicate rule name");
	}

	@Test
	void rejectsARuleWithoutNameOrMatchOrPack() {
		assertInvalid("""
				rules:
				  - name: ok
				    match: "a"
				    pack: counter
				  - match: "b:{x}"
				    pack: direct
				""", "rules[1]: missing name");
		assertInvalid("rules:\n  - name: \" \"\n    match: a\n    pack: counter\n", "rules[0]: missing name");
		assertInvalid("rules:\n  - name: r\n    pack: counter\n", "rule \"r\" (rules[0]): missing match");
		assertInvalid("rules:\n  - name: r\n    match: a\n",
				"rule \"r\" (rules[0]): missing pack (map, rollup, counter or direct)");
	}

	@Test
	void rejectsUnknownProperties() {
		assertInvalid(rule("pack: map\n    key: \"b\"\n    feild: \"{x}\""),
				"rule \"r\" (rules[0]): unknown property 'feild' (allowed: [field, flush, key, match, name, pack])");
		assertInvalid("rules: []\nrulez: []\n", "packing rules: unknown top-level property 'rulez' (allowed: [rules])");
	}

	@Test
	void rejectsAMalformedFile() {
		assertInvalid("", "packing rules: the file is empty; it needs a 'rules' list");
		assertInvalid("# nothing yet\n", "packing rules: the file is empty; it needs a 'rules' list");
		assertInvalid("- a\n", "packing rules: the file must be a mapping with a 'rules' list");
		assertInvalid("rules: a\n", "packing rules: 'rules' must be a list");
		assertInvalid("rules: [\n", "packing rules: not valid YAML: ");
		assertInvalid("rules:\n  - a\n", "rules[0]: must be a mapping with name, match and pack");
		assertInvalid("rules:\n  - name: 7\n    match: a\n    pack: counter\n",
				"rules[0]: name must be a string (quote it)");
		assertInvalid("rules: []\nrules: []\n", "Duplicate Object property \"rules\"");
		assertInvalid("rules:\n  - name: r\n    name: s\n    match: a\n    pack: counter\n",
				"Duplicate Object property \"name\"");
	}

	@Test
	void rejectsTheReservedNameDirect() {
		assertInvalid("rules:\n  - name: direct\n    match: \"a:{x}\"\n    pack: direct\n",
				"rule \"direct\" (rules[0]): the name \"direct\" is reserved for the built-in fallback rule");
	}

	@Test
	void rejectsBadTemplates() {
		assertInvalid(rule("pack: map\n    key: \"b:{x\"\n    field: \"{x}\""),
				"rule \"r\" (rules[0]): key \"b:{x\" has a '{' without a '}' at position 2");
		assertInvalid(rule("pack: map\n    key: \"b:x}\"\n    field: \"{x}\""),
				"key \"b:x}\" has a '}' without a '{' at position 3");
		assertInvalid(rule("pack: map\n    key: \"b:{1x}\"\n    field: \"{x}\""), "has a bad variable name {1x}");
		assertInvalid(rule("pack: map\n    key: \"b:{x:week}\"\n    field: \"{x}\""),
				"key \"b:{x:week}\" has an unknown format {x:week} (use :day or :hour)");
		assertInvalid(rule("pack: map\n    key: \"\"\n    field: \"{x}\""), "key \"\" is empty");
	}

	@Test
	void rejectsBadMatchPatterns() {
		assertInvalid("rules:\n  - name: r\n    match: \"a:{x:day}\"\n    pack: direct\n",
				"rule \"r\" (rules[0]): match \"a:{x:day}\" cannot format a variable ({x:day}); "
						+ "formats belong in key and field");
		assertInvalid("rules:\n  - name: r\n    match: \"a:{at}\"\n    pack: direct\n",
				"match \"a:{at}\" cannot capture {at}: the name is reserved for the record's event time");
		assertInvalid("rules:\n  - name: r\n    match: \"a:{x}:{x}\"\n    pack: direct\n",
				"match \"a:{x}:{x}\" captures {x} twice");
		assertInvalid("rules:\n  - name: r\n    match: \"a:{x}{y}\"\n    pack: direct\n",
				"match \"a:{x}{y}\" has {x}{y} with nothing between them, so the split is ambiguous");
	}

	@Test
	void rejectsTheEventTimeWithoutAFormat() {
		assertInvalid(rule("pack: map\n    key: \"b:{at}\"\n    field: \"{x}\""),
				"key \"b:{at}\" uses {at} without a format; use {at:day} or {at:hour}");
	}

	@Test
	void rejectsAMapRuleThatDropsAVariable() {
		assertInvalid("""
				rules:
				  - name: r
				    match: "a:{x}:{y}:{z}"
				    pack: map
				    key: "b:{x}:{y:day}"
				    field: "{x}"
				""", "rule \"r\" (rules[0]): a map rule must keep every captured variable unformatted in key or field,"
				+ " or different logical keys would share a field; it drops [y, z]");
		// a rollup aggregates, so dropping variables is its point
		assertThat(PackingRules.parse(rule("pack: rollup\n    key: \"b\"\n    field: \"all\"")).rules()).hasSize(1);
	}

	@Test
	void rejectsCounterAndDirectRulesWithKeyOrField() {
		assertInvalid("rules:\n  - name: c\n    match: \"__seq\"\n    pack: counter\n    key: \"s\"\n",
				"rule \"c\" (rules[0]): a counter rule takes no key or field (its key is the match text)");
		assertInvalid(rule("pack: direct\n    field: \"{x}\""),
				"rule \"r\" (rules[0]): a direct rule takes no key or field (its key is the logical key)");
		assertInvalid("rules:\n  - name: c\n    match: \"seq:{n}\"\n    pack: counter\n",
				"rule \"c\" (rules[0]): a counter rule's match must be literal text (it is the counter's key), "
						+ "not a pattern");
	}

	/** A rule named r matching {@code a:{x}}, with the given extra lines. */
	private static String rule(String lines) {
		return "rules:\n  - name: r\n    match: \"a:{x}\"\n    " + lines + "\n";
	}

	private static void assertInvalid(String yaml, String message) {
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> PackingRules.parse(yaml))
			.withMessageContaining(message);
	}

}
