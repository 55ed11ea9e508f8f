package dev.kvbatch.pack;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * How long a rule's changes may wait before they are in KV: the {@code flush} block of a
 * rule in {@code jobs/packing.yaml}.
 *
 * @param within the longest a staged change may wait; {@code null} for no such bound
 * (only with {@code closed}). {@link Duration#ZERO} means every run, the default
 * @param closed whether the key holds a time bucket that is written once its period has
 * ended (plus {@code grace})
 * @param grace how long after its period a closed bucket waits for late events
 */
public record FlushBound(@Nullable Duration within, boolean closed, Duration grace) {

	/** Every run: what a rule without a {@code flush} block gets. */
	public static final FlushBound EVERY_RUN = new FlushBound(Duration.ZERO, false, Duration.ZERO);

	/**
	 * The latest a change may reach KV.
	 * @param stagedAt when the oldest change the key carries was staged, epoch ms
	 * @param closesAt when the key's bucket ends, or {@code null} when it has none
	 * @return the deadline, epoch milliseconds
	 */
	public long deadline(long stagedAt, @Nullable Instant closesAt) {
		long deadline = Long.MAX_VALUE;
		if (this.within != null) {
			deadline = stagedAt + this.within.toMillis();
		}
		if (this.closed && closesAt != null) {
			deadline = Math.min(deadline, closesAt.toEpochMilli() + this.grace.toMillis());
		}
		// A bucket that closed long ago (a late entry) is due at once, never before it
		// was
		// staged.
		return (deadline == Long.MAX_VALUE) ? stagedAt : Math.max(deadline, stagedAt);
	}

	/** Whether the rule is written at every run, as without a bound. */
	public boolean everyRun() {
		return !this.closed && Duration.ZERO.equals(this.within);
	}

	/** {@code within 6h, when closed + 10m}, for summaries. */
	@Override
	public String toString() {
		if (everyRun()) {
			return "every run";
		}
		StringBuilder text = new StringBuilder();
		if (this.closed) {
			text.append("when closed");
			if (!this.grace.isZero()) {
				text.append(" + ").append(Durations.format(this.grace));
			}
		}
		if (this.within != null) {
			text.append(text.isEmpty() ? "" : ", ").append("within ").append(Durations.format(this.within));
		}
		return text.toString();
	}

}
