package dev.kvbatch.stage;

import java.math.BigInteger;
import java.time.Instant;

import dev.kvbatch.pack.PackException;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.pack.Placement;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Staging checks that come from the packing rules, so a record the compress job could not
 * pack is refused at once, with its line: a key no rule can place, a rollup value without
 * a number, a counter that is not a whole number.
 */
public final class PackingKeyPolicy implements KeyPolicy {

	private final PackingRules rules;

	public PackingKeyPolicy(PackingRules rules) {
		this.rules = rules;
	}

	@Override
	public void check(Op op, String key, @Nullable JsonNode value, Instant at) {
		if (op == Op.DELETE || value == null) {
			// A delete removes whatever entry the key has; its placement was checked when
			// it was put.
			return;
		}
		Placement placement;
		try {
			placement = this.rules.place(key, at);
		}
		catch (PackException ex) {
			throw new Violation("key", ex.getMessage());
		}
		if (placement.kind() == PackKind.ROLLUP) {
			try {
				PackingRules.metricOf(value);
			}
			catch (PackException ex) {
				throw new Violation("value", ex.getMessage());
			}
		}
		if (placement.kind() == PackKind.COUNTER && !isCount(value)) {
			throw new Violation("value", "key \"" + key + "\" is the counter (rule " + placement.rule()
					+ "); its value must be a whole number from 0 to " + Long.MAX_VALUE);
		}
	}

	/** Raw bytes are written to KV as they are: only a direct key can hold them. */
	@Override
	public void checkRaw(String key, Instant at) {
		Placement placement;
		try {
			placement = this.rules.place(key, at);
		}
		catch (PackException ex) {
			throw new Violation("key", ex.getMessage());
		}
		if (placement.kind() != PackKind.DIRECT) {
			throw new Violation("base64",
					"key \"" + key + "\" is packed by rule " + placement.rule() + " ("
							+ placement.kind().name().toLowerCase(java.util.Locale.ROOT)
							+ "), which holds JSON values; only a direct key takes raw bytes: send the value as JSON");
		}
	}

	/** A count the counter rule can hold: it is kept with the sequence, as a long. */
	private static boolean isCount(JsonNode value) {
		BigInteger count = null;
		if (value.isIntegralNumber()) {
			count = value.bigIntegerValue();
		}
		else if (value.isString()) {
			String text = value.asString();
			if (!text.isEmpty() && text.length() <= 19 && text.chars().allMatch((c) -> c >= '0' && c <= '9')) {
				count = new BigInteger(text);
			}
		}
		return count != null && count.signum() >= 0 && count.bitLength() < Long.SIZE;
	}

}
