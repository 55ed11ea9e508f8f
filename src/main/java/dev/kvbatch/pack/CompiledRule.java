package dev.kvbatch.pack;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A validated {@link PackRule} with its templates compiled: it places the logical keys
 * its {@code match} accepts.
 */
final class CompiledRule {

	/** What a variable matches when another part of the pattern follows it. */
	private static final String SEGMENT = "[^:]+";

	/** What the variable that ends a pattern matches: the rest of the key. */
	private static final String REST = ".+";

	private final PackRule rule;

	private final Pattern match;

	/** Captured variable names, in group order. */
	private final List<String> captured;

	private final @Nullable Template key;

	private final @Nullable Template field;

	/** Every physical key a map or rollup rule can produce; {@code null} for others. */
	private final @Nullable Pattern keySpace;

	/** How long this rule's changes may wait before they are in KV. */
	private final FlushBound bound;

	private CompiledRule(PackRule rule, Pattern match, List<String> captured, @Nullable Template key,
			@Nullable Template field, @Nullable Pattern keySpace, FlushBound bound) {
		this.rule = rule;
		this.bound = bound;
		this.match = match;
		this.captured = captured;
		this.key = key;
		this.field = field;
		this.keySpace = keySpace;
	}

	/**
	 * Validate and compile a rule.
	 * @param rule the rule as written
	 * @return the compiled rule
	 * @throws IllegalArgumentException if the rule is invalid; the message says why
	 */
	static CompiledRule of(PackRule rule) {
		return of(rule, FlushBound.EVERY_RUN);
	}

	/**
	 * Validate and compile a rule with its freshness bound.
	 * @param rule the rule as written
	 * @param bound its {@code flush} block
	 * @return the compiled rule
	 * @throws IllegalArgumentException if the rule is invalid; the message says why
	 */
	static CompiledRule of(PackRule rule, FlushBound bound) {
		Template match = parse("match", rule.match());
		Map<String, String> variableRegex = matchVariables(match);
		Pattern pattern = Pattern.compile(match.toRegex(variableRegex, true));
		List<String> captured = List.copyOf(variableRegex.keySet());
		return switch (rule.kind()) {
			case MAP, ROLLUP -> {
				Template key = parse("key", required(rule, "key", rule.key()));
				Template field = parse("field", required(rule, "field", rule.field()));
				checkUses(key, "key", variableRegex);
				checkUses(field, "field", variableRegex);
				if (rule.kind() == PackKind.MAP) {
					checkKeepsEveryVariable(key, field, captured);
				}
				Pattern keySpace = Pattern.compile(key.toRegex(variableRegex, false));
				yield new CompiledRule(rule, pattern, captured, key, field, keySpace, bound);
			}
			case COUNTER, DIRECT -> {
				String kind = rule.kind().name().toLowerCase(Locale.ROOT);
				if (rule.key() != null || rule.field() != null) {
					throw new IllegalArgumentException(
							"a " + kind + " rule takes no key or field" + ((rule.kind() == PackKind.COUNTER)
									? " (its key is the match text)" : " (its key is the logical key)"));
				}
				if (rule.kind() == PackKind.COUNTER && !captured.isEmpty()) {
					throw new IllegalArgumentException(
							"a counter rule's match must be literal text (it is the counter's key), not a pattern");
				}
				yield new CompiledRule(rule, pattern, captured, null, null, null, bound);
			}
		};
	}

	private static Template parse(String what, String text) {
		try {
			return Template.parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(what + " \"" + text + "\" " + ex.getMessage(), ex);
		}
	}

	private static String required(PackRule rule, String what, @Nullable String value) {
		if (value == null) {
			throw new IllegalArgumentException(
					"a " + rule.kind().name().toLowerCase(Locale.ROOT) + " rule needs a " + what);
		}
		return value;
	}

	/**
	 * The expression each variable of a match pattern captures, in order. Variables stop
	 * at {@code :} so that {@code a:{x}:{y}} splits where a reader expects, except one
	 * that ends the pattern, which takes the rest so that the last segment of a key may
	 * itself contain colons.
	 */
	private static Map<String, String> matchVariables(Template match) {
		Map<String, String> regex = new LinkedHashMap<>();
		List<Template.Part> parts = match.parts();
		for (int i = 0; i < parts.size(); i++) {
			if (parts.get(i) instanceof Template.Variable variable) {
				Template.TimeFormat format = variable.format();
				if (format != null) {
					throw new IllegalArgumentException("match \"" + match + "\" cannot format a variable ({"
							+ variable.name() + ":" + format.label + "}); formats belong in key and field");
				}
				if (Template.AT.equals(variable.name())) {
					throw new IllegalArgumentException("match \"" + match
							+ "\" cannot capture {at}: the name is reserved for the record's event time");
				}
				if (regex.containsKey(variable.name())) {
					throw new IllegalArgumentException(
							"match \"" + match + "\" captures {" + variable.name() + "} twice");
				}
				if (i > 0 && parts.get(i - 1) instanceof Template.Variable previous) {
					throw new IllegalArgumentException("match \"" + match + "\" has {" + previous.name() + "}{"
							+ variable.name() + "} with nothing between them, so the split is ambiguous");
				}
				regex.put(variable.name(), (i == parts.size() - 1) ? REST : SEGMENT);
			}
		}
		return regex;
	}

	private static void checkUses(Template template, String what, Map<String, String> captured) {
		for (Template.Part part : template.parts()) {
			if (part instanceof Template.Variable variable) {
				boolean isAt = Template.AT.equals(variable.name());
				if (!isAt && !captured.containsKey(variable.name())) {
					throw new IllegalArgumentException(what + " \"" + template + "\" uses {" + variable.name()
							+ "}, which match does not capture (it captures " + captured.keySet() + ")");
				}
				if (isAt && variable.format() == null) {
					throw new IllegalArgumentException(
							what + " \"" + template + "\" uses {at} without a format; use {at:day} or {at:hour}");
				}
			}
		}
	}

	/**
	 * Two logical keys that differ only in a variable a map rule drops would land in the
	 * same field of the same physical key, and one would silently overwrite the other.
	 */
	private static void checkKeepsEveryVariable(Template key, Template field, List<String> captured) {
		Set<String> kept = new LinkedHashSet<>();
		for (Template template : List.of(key, field)) {
			for (Template.Part part : template.parts()) {
				if (part instanceof Template.Variable variable && variable.format() == null) {
					kept.add(variable.name());
				}
			}
		}
		List<String> dropped = new ArrayList<>(captured);
		dropped.removeAll(kept);
		if (!dropped.isEmpty()) {
			throw new IllegalArgumentException("a map rule must keep every captured variable unformatted in key or"
					+ " field, or different logical keys would share a field; it drops " + dropped);
		}
	}

	PackRule rule() {
		return this.rule;
	}

	FlushBound bound() {
		return this.bound;
	}

	/**
	 * The time bucket of this rule's physical keys: the first {@code {…:day}} or
	 * {@code {…:hour}} of its key template, or {@code null} when its keys have none.
	 */
	@Nullable Buckets buckets() {
		return Buckets.of(this.key);
	}

	/**
	 * Where this rule puts {@code logicalKey}, or {@code null} if it does not match.
	 * @param logicalKey the logical key
	 * @param at the record's event time
	 * @return the placement (its physical key not yet checked against KV's limits)
	 * @throws PackException if a time variable is not epoch milliseconds
	 */
	@Nullable Placement place(String logicalKey, Instant at) {
		Matcher matcher = this.match.matcher(logicalKey);
		if (!matcher.matches()) {
			return null;
		}
		Map<String, String> values = new HashMap<>();
		for (int i = 0; i < this.captured.size(); i++) {
			values.put(this.captured.get(i), matcher.group(i + 1));
		}
		return switch (this.rule.kind()) {
			case MAP, ROLLUP -> new Placement(this.rule.name(), this.rule.kind(),
					render(this.key, values, at, logicalKey), render(this.field, values, at, logicalKey));
			case COUNTER -> new Placement(this.rule.name(), PackKind.COUNTER, this.rule.match(), null);
			case DIRECT -> new Placement(this.rule.name(), PackKind.DIRECT, logicalKey, null);
		};
	}

	private String render(@Nullable Template template, Map<String, String> values, Instant at, String logicalKey) {
		if (template == null) {
			throw new IllegalStateException("rule " + this.rule.name() + " has no template");
		}
		try {
			return template.render(values, at);
		}
		catch (IllegalArgumentException ex) {
			throw new PackException(
					"logical key \"" + logicalKey + "\" (rule " + this.rule.name() + "): " + ex.getMessage(), ex);
		}
	}

	/**
	 * Whether this rule may pack entries into {@code physicalKey}, so that nothing else
	 * may be stored there.
	 * @param physicalKey the key
	 * @return whether this rule's keys include it
	 */
	boolean matches(String logicalKey) {
		return this.match.matcher(logicalKey).matches();
	}

	boolean mayProduce(String physicalKey) {
		return this.keySpace != null && this.keySpace.matcher(physicalKey).matches();
	}

}
