package dev.kvbatch.pack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads and strictly validates {@code jobs/packing.yaml}. Operators edit the file by
 * hand, so anything unexpected (an unknown property, a typo in a pack kind, a duplicate
 * property) is an error rather than silently ignored.
 */
final class RulesFile {

	private static final Set<String> TOP_LEVEL = Set.of("rules");

	private static final Set<String> RULE_PROPERTIES = Set.of("name", "match", "pack", "key", "field", "flush");

	private static final Set<String> FLUSH_PROPERTIES = Set.of("within", "when", "grace");

	/** The name of the built-in fallback rule, which a file may not reuse. */
	static final String DIRECT = "direct";

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private RulesFile() {
	}

	/**
	 * Parse and validate a rules file.
	 * @param yaml the file's content
	 * @return the compiled rules, in file order
	 * @throws PackException if the file is not valid; the message names the rule (or its
	 * position) and says why
	 */
	static List<CompiledRule> read(String yaml) {
		JsonNode root = tree(yaml);
		if (root == null || root.isMissingNode() || root.isNull()) {
			throw new PackException("packing rules: the file is empty; it needs a 'rules' list");
		}
		if (!root.isObject()) {
			throw new PackException("packing rules: the file must be a mapping with a 'rules' list");
		}
		checkProperties(root, TOP_LEVEL, "packing rules: unknown top-level property");
		JsonNode list = root.get("rules");
		if (list == null || !list.isArray()) {
			throw new PackException("packing rules: 'rules' must be a list");
		}
		List<CompiledRule> rules = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < list.size(); i++) {
			CompiledRule rule = rule(list.get(i), i);
			if (!names.add(rule.rule().name())) {
				throw new PackException(label(rule.rule().name(), i) + ": duplicate rule name");
			}
			rules.add(rule);
		}
		return List.copyOf(rules);
	}

	private static @Nullable JsonNode tree(String yaml) {
		try {
			return YAML.readTree(yaml);
		}
		catch (JacksonException ex) {
			throw new PackException("packing rules: not valid YAML: " + ex.getOriginalMessage()
					+ (ex.getLocation() != null ? " (line " + ex.getLocation().getLineNr() + ")" : ""), ex);
		}
	}

	private static CompiledRule rule(JsonNode node, int index) {
		String position = label(null, index);
		if (!node.isObject()) {
			throw new PackException(position + ": must be a mapping with name, match and pack");
		}
		String name = text(node, "name", position);
		if (name == null || name.isBlank()) {
			throw new PackException(position + ": missing name");
		}
		String label = label(name, index);
		checkProperties(node, RULE_PROPERTIES, label + ": unknown property");
		if (name.equals(DIRECT)) {
			throw new PackException(label + ": the name \"direct\" is reserved for the built-in fallback rule");
		}
		String match = text(node, "match", label);
		if (match == null) {
			throw new PackException(label + ": missing match");
		}
		String pack = text(node, "pack", label);
		if (pack == null) {
			throw new PackException(label + ": missing pack (map, rollup, counter or direct)");
		}
		PackRule rule = new PackRule(name, kind(pack, label), match, text(node, "key", label),
				text(node, "field", label));
		CompiledRule compiled;
		try {
			compiled = CompiledRule.of(rule, bound(node.get("flush"), label));
		}
		catch (IllegalArgumentException ex) {
			throw new PackException(label + ": " + ex.getMessage(), ex);
		}
		if (compiled.bound().closed() && compiled.buckets() == null) {
			throw new PackException(label + ": flush.when: closed needs a key with a {…:hour} or {…:day} bucket"
					+ ((compiled.rule().key() != null) ? ", and \"" + compiled.rule().key() + "\" has none"
							: " (a " + pack + " rule has no key template)"));
		}
		return compiled;
	}

	/** The rule's {@code flush} block; every run without one. */
	private static FlushBound bound(@Nullable JsonNode flush, String label) {
		if (flush == null || flush.isNull()) {
			return FlushBound.EVERY_RUN;
		}
		String where = label + ": flush";
		if (!flush.isObject()) {
			throw new PackException(where + " must be a mapping with within, when or grace");
		}
		checkProperties(flush, FLUSH_PROPERTIES, where + ": unknown property");
		String when = scalar(flush, "when", where);
		if (when != null && !when.equals("closed")) {
			throw new PackException(where + ".when: unknown value \"" + when + "\" (the only one is closed)");
		}
		boolean closed = when != null;
		Duration within = duration(flush, "within", where);
		Duration grace = duration(flush, "grace", where);
		if (grace != null && !closed) {
			throw new PackException(where + ".grace: only a rule with when: closed waits for late events");
		}
		if (within == null && !closed) {
			throw new PackException(where + ": needs within, when: closed, or both");
		}
		return new FlushBound(within, closed, (grace != null) ? grace : Duration.ZERO);
	}

	private static @Nullable Duration duration(JsonNode flush, String property, String where) {
		String text = scalar(flush, property, where);
		if (text == null) {
			return null;
		}
		Duration duration = Durations.parse(text);
		if (duration == null) {
			throw new PackException(where + "." + property + ": \"" + text
					+ "\" is not a duration (use 0, 90s, 15m, 6h, 1d or ISO-8601 such as PT6H)");
		}
		return duration;
	}

	/** A string or number property as text ({@code within: 0} is a number in YAML). */
	private static @Nullable String scalar(JsonNode node, String property, String where) {
		JsonNode value = node.get(property);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString() && !value.isNumber()) {
			throw new PackException(where + "." + property + " must be a single value, such as 6h");
		}
		return value.asString();
	}

	private static PackKind kind(String pack, String label) {
		for (PackKind kind : PackKind.values()) {
			if (kind.name().toLowerCase(Locale.ROOT).equals(pack)) {
				return kind;
			}
		}
		throw new PackException(label + ": unknown pack \"" + pack + "\" (use map, rollup, counter or direct)");
	}

	private static @Nullable String text(JsonNode rule, String property, String label) {
		JsonNode value = rule.get(property);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new PackException(label + ": " + property + " must be a string (quote it)");
		}
		return value.asString();
	}

	private static void checkProperties(JsonNode node, Set<String> allowed, String problem) {
		for (String name : node.propertyNames()) {
			if (!allowed.contains(name)) {
				throw new PackException(
						problem + " '" + name + "' (allowed: " + allowed.stream().sorted().toList() + ")");
			}
		}
	}

	/** {@code rule "name" (rules[i])}, or {@code rules[i]} for a rule without a name. */
	private static String label(@Nullable String name, int index) {
		String position = "rules[" + index + "]";
		return (name != null) ? "rule \"" + name + "\" (" + position + ")" : position;
	}

}
