package dev.kvbatch.pack;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The packing rules of {@code jobs/packing.yaml}: where each logical key lands. Immutable
 * and thread-safe.
 *
 * @see #parse(String)
 */
public final class PackingRules {

	private final List<CompiledRule> compiled;

	private final List<PackRule> rules;

	private PackingRules(List<CompiledRule> compiled) {
		this.compiled = compiled;
		this.rules = compiled.stream().map(CompiledRule::rule).toList();
	}

	/**
	 * Parse and strictly validate a rules file.
	 * @param yaml the content of {@code jobs/packing.yaml}
	 * @return the rules
	 * @throws PackException if the file is not valid YAML, or a rule has a missing name
	 * or match, a duplicate name, an unknown pack kind, no key or field where its kind
	 * needs one, a key or field that uses a variable its match does not capture, or an
	 * unknown property; the message names the rule (or its position) and says why
	 */
	public static PackingRules parse(String yaml) {
		return new PackingRules(RulesFile.read(yaml));
	}

	/**
	 * The rules, in file order, without the built-in {@code direct} fallback.
	 * @return the rules
	 */
	public List<PackRule> rules() {
		return this.rules;
	}

	/** The compiled rules, in file order, for {@link Freshness}. */
	List<CompiledRule> compiled() {
		return this.compiled;
	}

	/**
	 * Where a logical key lands: the first rule whose {@code match} accepts it, else the
	 * built-in {@code direct} rule, which stores it under its own name.
	 * @param logicalKey the logical key
	 * @param at the record's event time, for {@code {at:day}} and {@code {at:hour}}
	 * @return the placement
	 * @throws PackException if a time variable is not epoch milliseconds, if the physical
	 * key would break KV's limits (1 to 512 UTF-8 bytes, not {@code .} or {@code ..}), or
	 * if a key stored under a fixed name (direct or counter) is one a map or rollup rule
	 * packs into, so that the two would overwrite each other; the message names the
	 * logical key and the rule
	 */
	public Placement place(String logicalKey, Instant at) {
		for (CompiledRule rule : this.compiled) {
			Placement placement = rule.place(logicalKey, at);
			if (placement != null) {
				return checked(logicalKey, placement);
			}
		}
		return checked(logicalKey, new Placement(RulesFile.DIRECT, PackKind.DIRECT, logicalKey, null));
	}

	private Placement checked(String logicalKey, Placement placement) {
		String problem = KvLimits.keyProblem(placement.physicalKey());
		if (problem != null) {
			throw new PackException("logical key \"" + logicalKey + "\" (rule " + placement.rule()
					+ "): physical key \"" + placement.physicalKey() + "\" " + problem);
		}
		if (placement.kind() == PackKind.DIRECT || placement.kind() == PackKind.COUNTER) {
			for (CompiledRule rule : this.compiled) {
				if (rule.mayProduce(placement.physicalKey())) {
					throw new PackException("logical key \"" + logicalKey + "\" (rule " + placement.rule()
							+ ") would be stored as \"" + placement.physicalKey() + "\", a key that rule "
							+ rule.rule().name() + " packs into; rename the key or add a rule for it");
				}
			}
		}
		return placement;
	}

	/**
	 * The number a rollup aggregates for one value: the value itself if it is a number,
	 * else its {@code value} property if that is a number.
	 * @param value the logical entry's parsed value
	 * @return the metric, finite
	 * @throws PackException if there is no such number, or it is out of range for a
	 * double
	 */
	public static double metricOf(JsonNode value) {
		JsonNode number = value.isNumber() ? value : value.path("value");
		if (!number.isNumber()) {
			throw new PackException(
					"a rollup value must be a number or an object with a numeric \"value\", got " + describe(value));
		}
		// Exact numbers (1e400 is a BigDecimal) are converted by hand: Jackson refuses to
		// give a double for one out of range, where a rollup needs to say so.
		double metric = number.isBigDecimal() ? number.decimalValue().doubleValue()
				: number.isBigInteger() ? number.bigIntegerValue().doubleValue() : number.doubleValue();
		if (!Double.isFinite(metric)) {
			throw new PackException("a rollup value must be a number or an object with a numeric \"value\" "
					+ "within a double's range, got " + number);
		}
		return metric;
	}

	private static String describe(JsonNode value) {
		String text = value.toString();
		return (text.length() <= 80) ? text : text.substring(0, 77) + "...";
	}

}
