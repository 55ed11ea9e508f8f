package dev.kvbatch.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import dev.kvbatch.KvBatchProperties;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps every local table, and the ingested spool files, bounded by its retention. Each
 * call removes at most one batch of one kind, so the caller commits in bounded
 * transactions and a crash loses no more than a batch of work. Nothing here is sent to
 * KV.
 */
@Component
public class Retention {

	/** What is trimmed, in the order a prune trims it. */
	public enum Kind {

		/** Outbox rows the logical store has applied. */
		OUTBOX,
		/** Remembered idempotency ids. */
		IDEMPOTENCY_IDS,
		/** Dead letters. */
		DEAD_LETTERS,
		/** Ledger rows per call, rolled up into daily rows first. */
		LEDGER_DETAIL,
		/** Daily ledger rows and staged tallies. */
		LEDGER_DAILY,
		/** Spring Batch metadata of finished executions. */
		JOB_METADATA,
		/** Keys of the embedded target past their expiration, as KV drops them itself. */
		LOCAL_EXPIRED,
		/** Ingested spool files. */
		SPOOL_DONE;

		/** The name used in counts and logs, e.g. {@code dead-letters}. */
		public String label() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	private final JdbcClient jdbc;

	private final RetentionProperties retention;

	private final Cursors cursors;

	private final Path spoolDone;

	private final Clock clock;

	public Retention(JdbcClient jdbc, RetentionProperties retention, Cursors cursors, KvBatchProperties properties,
			Clock clock) {
		this.jdbc = jdbc;
		this.retention = retention;
		this.cursors = cursors;
		this.spoolDone = properties.spoolDir().resolve("done");
		this.clock = clock;
	}

	/**
	 * Removes one batch of a kind past its retention.
	 * @return how many rows (or files, or ledger days) were removed; 0 when the kind is
	 * done
	 */
	public long trimBatch(Kind kind) {
		int batch = this.retention.batchSize();
		long cutoff = cutoff(kindRetention(kind));
		switch (kind) {
			case OUTBOX:
				return this.jdbc.sql("""
						DELETE FROM kv_outbox WHERE id IN (SELECT id FROM kv_outbox
						WHERE id <= ? AND staged_at < ? ORDER BY id FETCH FIRST ? ROWS ONLY)""")
					.params(this.cursors.position(Cursors.OUTBOX), cutoff, batch)
					.update();
			case IDEMPOTENCY_IDS:
				return this.jdbc.sql("""
						DELETE FROM kv_staged_id WHERE id IN (SELECT id FROM kv_staged_id
						WHERE staged_at < ? FETCH FIRST ? ROWS ONLY)""").params(cutoff, batch).update();
			case DEAD_LETTERS:
				return this.jdbc.sql("""
						DELETE FROM kv_dead_letter WHERE id IN (SELECT id FROM kv_dead_letter
						WHERE created_at < ? ORDER BY id FETCH FIRST ? ROWS ONLY)""").params(cutoff, batch).update();
			case LEDGER_DETAIL:
				return rollUpOldestLedgerDay(day(cutoff));
			case LEDGER_DAILY:
				return this.jdbc.sql("DELETE FROM kv_ledger_daily WHERE usage_day < ?").param(day(cutoff)).update()
						+ this.jdbc.sql("DELETE FROM kv_staged_daily WHERE usage_day < ?").param(day(cutoff)).update();
			case JOB_METADATA:
				return trimJobMetadata(cutoff, Math.min(batch, 500));
			case LOCAL_EXPIRED:
				return this.jdbc.sql("""
						DELETE FROM kv_local WHERE key_name IN (SELECT key_name FROM kv_local
						WHERE expires_at <= ? FETCH FIRST ? ROWS ONLY)""")
					.params(this.clock.instant().getEpochSecond(), batch)
					.update();
			default:
				return trimSpoolDone(cutoff, batch);
		}
	}

	/** How many rows (or files, or ledger days) of a kind are past their retention. */
	public long due(Kind kind) {
		long cutoff = cutoff(kindRetention(kind));
		switch (kind) {
			case OUTBOX:
				return count("SELECT COUNT(*) FROM kv_outbox WHERE id <= ? AND staged_at < ?",
						this.cursors.position(Cursors.OUTBOX), cutoff);
			case IDEMPOTENCY_IDS:
				return count("SELECT COUNT(*) FROM kv_staged_id WHERE staged_at < ?", cutoff);
			case DEAD_LETTERS:
				return count("SELECT COUNT(*) FROM kv_dead_letter WHERE created_at < ?", cutoff);
			case LEDGER_DETAIL:
				return count("SELECT COUNT(DISTINCT usage_day) FROM kv_ledger WHERE usage_day < ?", day(cutoff));
			case LEDGER_DAILY:
				return count("SELECT COUNT(*) FROM kv_ledger_daily WHERE usage_day < ?", day(cutoff))
						+ count("SELECT COUNT(*) FROM kv_staged_daily WHERE usage_day < ?", day(cutoff));
			case JOB_METADATA:
				return count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE END_TIME < ?", batchTime(cutoff));
			case LOCAL_EXPIRED:
				return count("SELECT COUNT(*) FROM kv_local WHERE expires_at <= ?",
						this.clock.instant().getEpochSecond());
			default:
				return oldSpoolFiles(cutoff).size();
		}
	}

	/**
	 * Rolls the oldest ledger day before {@code before} up into daily rows and drops its
	 * detail.
	 */
	private long rollUpOldestLedgerDay(LocalDate before) {
		LocalDate day = this.jdbc.sql("SELECT MIN(usage_day) FROM kv_ledger WHERE usage_day < ?")
			.param(before)
			.query(LocalDate.class)
			.optional()
			.orElse(null);
		if (day == null) {
			return 0;
		}
		// A day's detail is rolled up at once, so a daily row is never half a day (no
		// MERGE needed).
		this.jdbc.sql("""
				INSERT INTO kv_ledger_daily (usage_day, target, operation, keys, bytes, requests)
				SELECT usage_day, target, operation, SUM(keys), SUM(bytes), SUM(requests) FROM kv_ledger
				WHERE usage_day = ? GROUP BY usage_day, target, operation""").param(day).update();
		this.jdbc.sql("DELETE FROM kv_ledger WHERE usage_day = ?").param(day).update();
		this.jdbc.sql("DELETE FROM kv_quota_exhausted WHERE usage_day <= ?").param(day).update();
		return 1;
	}

	private long trimJobMetadata(long cutoff, int batch) {
		List<Long> executions = this.jdbc.sql("""
				SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE END_TIME < ?
				ORDER BY JOB_EXECUTION_ID FETCH FIRST ? ROWS ONLY""")
			.params(batchTime(cutoff), batch)
			.query(Long.class)
			.list();
		for (Long execution : executions) {
			this.jdbc.sql("""
					DELETE FROM BATCH_STEP_EXECUTION_CONTEXT WHERE STEP_EXECUTION_ID IN
					(SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = ?)""")
				.param(execution)
				.update();
			for (String table : List.of("BATCH_STEP_EXECUTION", "BATCH_JOB_EXECUTION_CONTEXT",
					"BATCH_JOB_EXECUTION_PARAMS", "BATCH_JOB_EXECUTION")) {
				this.jdbc.sql("DELETE FROM " + table + " WHERE JOB_EXECUTION_ID = ?").param(execution).update();
			}
		}
		if (!executions.isEmpty()) {
			this.jdbc.sql("""
					DELETE FROM BATCH_JOB_INSTANCE WHERE NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e
					WHERE e.JOB_INSTANCE_ID = BATCH_JOB_INSTANCE.JOB_INSTANCE_ID)""").update();
		}
		return executions.size();
	}

	private long trimSpoolDone(long cutoff, int batch) {
		List<Path> old = oldSpoolFiles(cutoff);
		for (Path file : old.subList(0, Math.min(batch, old.size()))) {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return Math.min(batch, old.size());
	}

	private List<Path> oldSpoolFiles(long cutoff) {
		if (!Files.isDirectory(this.spoolDone)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(this.spoolDone)) {
			return files.filter((file) -> modified(file) < cutoff).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static long modified(Path file) {
		try {
			return Files.getLastModifiedTime(file).toMillis();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private java.time.Duration kindRetention(Kind kind) {
		switch (kind) {
			case OUTBOX:
				return this.retention.outbox();
			case IDEMPOTENCY_IDS:
				return this.retention.idempotencyIds();
			case DEAD_LETTERS:
				return this.retention.deadLetters();
			case LEDGER_DETAIL:
				return this.retention.ledgerDetail();
			case LEDGER_DAILY:
				return this.retention.ledgerDaily();
			case JOB_METADATA:
				return this.retention.jobMetadata();
			case LOCAL_EXPIRED:
				return java.time.Duration.ZERO;
			default:
				return this.retention.spoolDone();
		}
	}

	private long cutoff(java.time.Duration keep) {
		return this.clock.millis() - keep.toMillis();
	}

	private static LocalDate day(long epochMillis) {
		return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
	}

	/** Spring Batch stores local date-times of the JVM's zone. */
	private static LocalDateTime batchTime(long epochMillis) {
		return LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneId.systemDefault());
	}

	private long count(String sql, Object... params) {
		return this.jdbc.sql(sql).params(params).query(Long.class).single();
	}

}
