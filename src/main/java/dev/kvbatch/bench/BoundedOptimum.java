package dev.kvbatch.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.kvbatch.pack.Freshness;
import dev.kvbatch.pack.PackingRules;

/**
 * The fewest KV writes a day of operations needs when it is staged in hourly slices (each
 * operation at the end of its hour, the operations spread evenly over the day): every run
 * ({@code within: 0}: one write per physical key and slice that changed it) and under the
 * rules' freshness bounds (per physical key, a write at the deadline of its oldest unsent
 * change covers every change staged by then, which is the fewest writes that meet every
 * deadline). Counts changes, not values: a change that leaves a packed value as it was is
 * counted. Pure; not thread-safe.
 */
final class BoundedOptimum {

	private static final long HOUR = Duration.ofHours(1).toMillis();

	private final PackingRules rules;

	private final Freshness freshness;

	private final long dayStart;

	private final long operations;

	private final Set<String> slices = new HashSet<>();

	private final Map<String, long[]> pending = new HashMap<>();

	private long boundedWrites;

	private long index;

	BoundedOptimum(PackingRules rules, Instant dayStart, long operations) {
		this.rules = rules;
		this.freshness = Freshness.of(rules);
		this.dayStart = dayStart.toEpochMilli();
		this.operations = operations;
	}

	/** The next operation of the day, in staging order. */
	void add(String logicalKey, Instant eventAt) {
		long at = this.dayStart + this.index++ * Duration.ofDays(1).toMillis() / Math.max(1, this.operations);
		long staged = (at / HOUR + 1) * HOUR - 1000;
		String physical = this.rules.place(logicalKey, eventAt).physicalKey();
		this.slices.add(physical + "\n" + staged);
		// pending: the deadline of the oldest change not yet covered by a write.
		long[] due = this.pending.get(physical);
		if (due != null && staged > due[0]) {
			this.boundedWrites++;
			due = null;
		}
		if (due == null) {
			this.pending.put(physical, new long[] { this.freshness.deadline(physical, staged) });
		}
	}

	/** Writes with {@code within: 0} on every rule. */
	long everyRun() {
		return this.slices.size();
	}

	/** Writes under the rules' bounds, once every change is in KV. */
	long underBounds() {
		return this.boundedWrites + this.pending.size();
	}

}
