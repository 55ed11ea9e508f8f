package dev.kvbatch.pack;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The freshness bounds of the packing rules: which rule owns a physical key, and the
 * latest time a change to it may reach KV. A pure function of the rules and the key, so a
 * deadline can be set when a key is marked dirty and kept with the mark. Immutable and
 * thread-safe.
 */
public final class Freshness {

	private final PackingRules rules;

	private Freshness(PackingRules rules) {
		this.rules = rules;
	}

	/** The bounds of a rules file. */
	public static Freshness of(PackingRules rules) {
		return new Freshness(rules);
	}

	/**
	 * The rule whose values a physical key holds: the map or rollup rule whose keys
	 * include it, the counter rule of that name, else the first direct rule (or the
	 * built-in {@code direct}) that stores it under its own name.
	 * @param physicalKey the key
	 * @return the rule's name
	 */
	public String ruleOf(String physicalKey) {
		CompiledRule owner = owner(physicalKey);
		return (owner != null) ? owner.rule().name() : RulesFile.DIRECT;
	}

	/**
	 * The bound of a rule; every run for the built-in {@code direct} and unknown names.
	 * @param rule the rule's name
	 * @return the bound
	 */
	public FlushBound bound(String rule) {
		for (CompiledRule compiled : this.rules.compiled()) {
			if (compiled.rule().name().equals(rule)) {
				return compiled.bound();
			}
		}
		return FlushBound.EVERY_RUN;
	}

	/** Each rule's bound, in file order, then the built-in {@code direct}. */
	public Map<String, FlushBound> bounds() {
		Map<String, FlushBound> bounds = new LinkedHashMap<>();
		this.rules.compiled().forEach((rule) -> bounds.put(rule.rule().name(), rule.bound()));
		bounds.putIfAbsent(RulesFile.DIRECT, FlushBound.EVERY_RUN);
		return bounds;
	}

	/**
	 * The latest a change to a physical key may reach KV.
	 * @param physicalKey the key
	 * @param stagedAt when the oldest change it carries was staged, epoch milliseconds
	 * @return the deadline in epoch milliseconds; {@code stagedAt} itself for a rule
	 * written at every run
	 */
	public long deadline(String physicalKey, long stagedAt) {
		CompiledRule owner = owner(physicalKey);
		if (owner == null) {
			return stagedAt;
		}
		Buckets buckets = owner.buckets();
		Instant closesAt = (buckets != null) ? buckets.closesAt(physicalKey) : null;
		return owner.bound().deadline(stagedAt, closesAt);
	}

	private @Nullable CompiledRule owner(String physicalKey) {
		for (CompiledRule rule : this.rules.compiled()) {
			if (rule.mayProduce(physicalKey)
					|| (rule.rule().kind() == PackKind.COUNTER && rule.rule().match().equals(physicalKey))) {
				return rule;
			}
		}
		for (CompiledRule rule : this.rules.compiled()) {
			if (rule.matches(physicalKey)) {
				return (rule.rule().kind() == PackKind.DIRECT) ? rule : null;
			}
		}
		return null;
	}

}
