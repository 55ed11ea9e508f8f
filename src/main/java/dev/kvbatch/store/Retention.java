package dev.kvbatch.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.kvbatch.Trimmable;

import org.springframework.stereotype.Component;

/**
 * Keeps every local table, the idempotency index, the ingested spool files and the
 * {@code .tmp} files dead runs left, bounded by its retention: a loop over the owners
 * ({@link Trimmable} beans, one per kind, each holding its own SQL), in prune's order.
 * Each call removes at most one batch of one kind, so the caller commits in bounded
 * transactions and a crash loses no more than a batch of work. Nothing here is sent to
 * KV.
 */
@Component
public class Retention {

	/** What is trimmed, in the order a prune trims it. */
	public enum Kind {

		/** Outbox rows the logical store has applied. */
		OUTBOX(RetentionProperties::outbox),
		/**
		 * Staged idempotency ids, in the index (and those an earlier version kept in the
		 * database).
		 */
		IDEMPOTENCY_IDS(RetentionProperties::idempotencyIds),
		/** Dead letters. */
		DEAD_LETTERS(RetentionProperties::deadLetters),
		/** Ledger rows per call, rolled up into daily rows first. */
		LEDGER_DETAIL(RetentionProperties::ledgerDetail),
		/** Daily ledger rows and staged tallies. */
		LEDGER_DAILY(RetentionProperties::ledgerDaily),
		/**
		 * The staleness of each write and the freshness breaches: kept as long as the
		 * daily ledger they are reported beside.
		 */
		STALENESS(RetentionProperties::ledgerDaily),
		/** Spring Batch metadata of finished executions. */
		JOB_METADATA(RetentionProperties::jobMetadata),
		/** Keys of the embedded target past their expiration, as KV drops them itself. */
		LOCAL_EXPIRED((retention) -> Duration.ZERO),
		/** Ingested spool files. */
		SPOOL_DONE(RetentionProperties::spoolDone),
		/** {@code *.tmp} files a dead stage run or producer left in the spool folder. */
		SPOOL_TMP(RetentionProperties::spoolTmp);

		private final Function<RetentionProperties, Duration> keep;

		Kind(Function<RetentionProperties, Duration> keep) {
			this.keep = keep;
		}

		/** The name used in counts and logs, e.g. {@code dead-letters}. */
		public String label() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	private final Map<Kind, Trimmable> owners = new EnumMap<>(Kind.class);

	private final RetentionProperties retention;

	private final Clock clock;

	/**
	 * @param owners one owner per kind, named by {@link Trimmable#kind()}
	 * @throws IllegalStateException if a kind has no owner, or two
	 */
	public Retention(List<Trimmable> owners, RetentionProperties retention, Clock clock) {
		this.retention = retention;
		this.clock = clock;
		for (Kind kind : Kind.values()) {
			List<Trimmable> named = owners.stream().filter((owner) -> owner.kind().equals(kind.label())).toList();
			if (named.size() != 1) {
				throw new IllegalStateException(
						"retention needs one owner of " + kind.label() + ", found " + named.size());
			}
			this.owners.put(kind, named.get(0));
		}
	}

	/**
	 * Removes one batch of a kind past its retention.
	 * @return how many rows (or files, or ledger days) were removed; 0 when the kind is
	 * done
	 */
	public long trimBatch(Kind kind) {
		return owner(kind).trim(cutoff(kind), this.retention.batchSize());
	}

	/** How many rows (or files, or ledger days) of a kind are past their retention. */
	public long due(Kind kind) {
		return owner(kind).due(cutoff(kind));
	}

	private Trimmable owner(Kind kind) {
		return Objects.requireNonNull(this.owners.get(kind));
	}

	private Instant cutoff(Kind kind) {
		return this.clock.instant().minus(kind.keep.apply(this.retention));
	}

}
