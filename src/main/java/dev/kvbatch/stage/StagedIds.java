package dev.kvbatch.stage;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The idempotency index and the {@code {seq}} sequence of staging on PostgreSQL
 * ({@code kv_stage_id}, {@code kv_stage_seq}; migration V14), the owner of their SQL.
 * <p>
 * <b>Races.</b> The table's primary key is the unique constraint two replicas meet when
 * they stage one id at once. A {@link #session session} looks an id up without locking;
 * recording a fresh id inserts it, and PostgreSQL makes that insert wait while another
 * open transaction holds the same key: if that one commits, the insert does nothing and
 * the session throws {@link LostRace}, so that the caller runs its whole transaction
 * again and then finds the winner's row (its fingerprint and {@code {seq}} value: the
 * loser is told the winner's key). If the winner rolls back, the insert goes through.
 * <p>
 * Everything runs in the caller's transaction: an id counts as staged exactly when the
 * outbox rows of its transaction commit. Thread-safe (the state is in the database).
 */
public class StagedIds {

	private static final String FIND = "SELECT fingerprint, seq FROM kv_stage_id WHERE id_high = ? AND id_low = ?";

	private static final String CLAIM = """
			INSERT INTO kv_stage_id (id_high, id_low, fingerprint, seq, staged_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT ON CONSTRAINT pk_kv_stage_id DO NOTHING
			""";

	private static final String NEXT_SEQ = "SELECT nextval('kv_stage_seq')";

	/** Moves the sequence past the values an app used before kvbatch; never back. */
	private static final String RAISE_SEQ = """
			SELECT setval('kv_stage_seq', GREATEST(?, (SELECT last_value FROM kv_stage_seq)))
			""";

	private static final String DUE = "SELECT COUNT(*) FROM kv_stage_id WHERE staged_at < ?";

	/** A bounded batch of the oldest entries, by the staged_at index. */
	private static final String TRIM = """
			DELETE FROM kv_stage_id WHERE (id_high, id_low) IN (SELECT id_high, id_low FROM kv_stage_id
			WHERE staged_at < ? ORDER BY staged_at FETCH FIRST ? ROWS ONLY)
			""";

	private final JdbcTemplate jdbc;

	private final long seqStartAfter;

	/**
	 * @param jdbc the PostgreSQL database
	 * @param seqStartAfter values an app used before kvbatch: {@code {seq}} never hands
	 * out a value at or below it
	 */
	public StagedIds(JdbcTemplate jdbc, long seqStartAfter) {
		this.jdbc = jdbc;
		this.seqStartAfter = seqStartAfter;
	}

	/**
	 * A session of the index in the caller's transaction, for records staged at
	 * {@code stagedAt}. {@link IdempotencyIndex.Session#record} throws {@link LostRace}
	 * when another transaction committed the id since it was looked up.
	 */
	IdempotencyIndex.Session session(Instant stagedAt) {
		return new Session(stagedAt.toEpochMilli());
	}

	/** The sequence, one {@code nextval} per value, in the caller's transaction. */
	SeqValues sequence() {
		return new SeqValues() {

			@Override
			public long next() {
				long value = nextval();
				if (value <= StagedIds.this.seqStartAfter) {
					StagedIds.this.jdbc.queryForObject(RAISE_SEQ, Long.class, StagedIds.this.seqStartAfter);
					value = nextval();
				}
				return value;
			}

			@Override
			public void giveBack(long value) {
				// A database sequence never hands a value out twice: a refused record
				// leaves a gap.
			}

		};
	}

	private long nextval() {
		Long value = this.jdbc.queryForObject(NEXT_SEQ, Long.class);
		if (value == null) {
			throw new IllegalStateException("PostgreSQL gave no value for kv_stage_seq");
		}
		return value;
	}

	/** How many entries were written before {@code before}. */
	public long countBefore(Instant before) {
		Long count = this.jdbc.queryForObject(DUE, Long.class, before.toEpochMilli());
		return (count != null) ? count : 0;
	}

	/**
	 * Removes at most {@code max} of the entries written before {@code before}, in the
	 * caller's transaction; 0 once none is left. Row locks only on what it deletes, so
	 * staging never waits for it.
	 */
	public long trim(Instant before, int max) {
		return this.jdbc.update(TRIM, before.toEpochMilli(), max);
	}

	private final class Session implements IdempotencyIndex.Session {

		private final long stagedAt;

		Session(long stagedAt) {
			this.stagedAt = stagedAt;
		}

		@Override
		public IdempotencyIndex.Lookup find(IdKey id, long fingerprint, long line) {
			List<long[]> rows = StagedIds.this.jdbc.query(FIND, (rs, n) -> {
				long seq = rs.getLong(2);
				return rs.wasNull() ? new long[] { rs.getLong(1) } : new long[] { rs.getLong(1), seq };
			}, id.high(), id.low());
			if (rows.isEmpty()) {
				return IdempotencyIndex.Lookup.Fresh.NEW;
			}
			long[] row = rows.get(0);
			if (row[0] != fingerprint && row[0] != LineResult.ANY_RECORD && fingerprint != LineResult.ANY_RECORD) {
				return new IdempotencyIndex.Lookup.Conflict();
			}
			return new IdempotencyIndex.Lookup.Staged((row.length > 1) ? row[1] : null);
		}

		@Override
		public void record(IdKey id, long fingerprint, long line, @Nullable Long seq) {
			int inserted = StagedIds.this.jdbc.update(CLAIM, id.high(), id.low(), fingerprint, seq, this.stagedAt);
			if (inserted == 0) {
				throw new LostRace();
			}
		}

		@Override
		public IdempotencyIndex.Lookup[] resolveAll(IdKey[] ids, long[] fingerprints) {
			IdempotencyIndex.Lookup[] lookups = new IdempotencyIndex.Lookup[ids.length];
			for (int i = 0; i < ids.length; i++) {
				lookups[i] = find(ids[i], fingerprints[i], 0);
				if (lookups[i] instanceof IdempotencyIndex.Lookup.Fresh) {
					record(ids[i], fingerprints[i], 0, null);
				}
			}
			return lookups;
		}

		@Override
		public void expect(long ids) {
			// Rows need no room made.
		}

		@Override
		public void prepareCommit() {
			// Durable with the caller's commit.
		}

		@Override
		public void committed() {
			// Staged with the caller's commit.
		}

		@Override
		public void close() {
			// Nothing is held beyond the caller's transaction.
		}

	}

	/**
	 * Another transaction committed an id after this one looked it up: run the
	 * transaction again, which then finds it staged.
	 */
	public static final class LostRace extends RuntimeException {

		LostRace() {
			super("another stager committed the same idempotency id first", null, false, false);
		}

	}

}
