package dev.kvbatch;

import java.time.Instant;

/**
 * Data kvbatch keeps for a while, trimmed by {@code prune} in bounded batches. Each table
 * (or folder) has one owner class that holds its SQL; the owners of the kinds prune trims
 * are beans of this type, and the store's {@code Retention} walks them in its order.
 */
public interface Trimmable {

	/**
	 * The kind prune counts this as, e.g. {@code dead-letters}: one owner per kind, named
	 * as in {@code retention.<kind>} of the step's counts.
	 */
	String kind();

	/**
	 * How many rows (or files, or ledger days) are past the cutoff. Read-only.
	 * @param cutoff what is older than this is due
	 */
	long due(Instant cutoff);

	/**
	 * Removes at most one batch of what is past the cutoff, in the caller's transaction.
	 * Idempotent: a crash before the commit leaves the batch for the next call.
	 * @param cutoff what is older than this goes
	 * @param batchSize at most this many rows (or files, or ledger days)
	 * @return how many were removed; 0 when nothing is left
	 */
	long trim(Instant cutoff, int batchSize);

}
