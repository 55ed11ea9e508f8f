package dev.kvbatch.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.stage.IdempotencyIndex;
import dev.kvbatch.stage.SpoolWriter;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps every local table, the idempotency index, the ingested spool files and the
 * {@code .tmp} files dead runs left, bounded by its retention. Each call removes at most
 * one batch of one kind, so the caller commits in bounded transactions and a crash loses
 * no more than a batch of work. Nothing here is sent to KV.
 *
 * <p>
 * Batches are picked first and then deleted by primary key (the outbox by id range): H2
 * re-evaluates an {@code IN (SELECT … FETCH FIRST n)} for every candidate row, which is
 * quadratic.
 */
@Component
public class Retention {

	/** What is trimmed, in the order a prune trims it. */
	public enum Kind {

		/** Outbox rows the logical store has applied. */
		OUTBOX,
		/**
		 * Staged idempotency ids, in the index (and those an earlier version kept in the
		 * database).
		 */
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
		SPOOL_DONE,
		/** {@code *.tmp} files a dead stage run or producer left in the spool folder. */
		SPOOL_TMP;

		/** The name used in counts and logs, e.g. {@code dead-letters}. */
		public String label() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	/**
	 * How one kind is trimmed: how long it is kept, what is due before a cutoff, and one
	 * batch of it removed.
	 */
	private record Trim(Duration keep, LongUnaryOperator due, BatchTrim batch) {
	}

	@FunctionalInterface
	private interface BatchTrim {

		long apply(long cutoff, int size);

	}

	private final JdbcClient jdbc;

	private final JdbcTemplate jdbcTemplate;

	private final RetentionProperties retention;

	private final Cursors cursors;

	private final Path spoolDone;

	private final Path spoolDir;

	private final IdempotencyIndex ids;

	private final Clock clock;

	private final Map<Kind, Trim> trims = new EnumMap<>(Kind.class);

	public Retention(JdbcTemplate jdbcTemplate, RetentionProperties retention, Cursors cursors,
			KvBatchProperties properties, IdempotencyIndex ids, Clock clock) {
		this.jdbc = JdbcClient.create(jdbcTemplate);
		this.jdbcTemplate = jdbcTemplate;
		this.retention = retention;
		this.cursors = cursors;
		this.spoolDir = properties.spoolDir();
		this.spoolDone = properties.spoolDir().resolve("done");
		this.ids = ids;
		this.clock = clock;
		this.trims.put(Kind.OUTBOX, new Trim(retention.outbox(),
				(cutoff) -> count("SELECT COUNT(*) FROM kv_outbox WHERE id <= ? AND staged_at < ?", applied(), cutoff),
				this::trimOutbox));
		this.trims
			.put(Kind.IDEMPOTENCY_IDS,
					new Trim(retention.idempotencyIds(),
							(cutoff) -> count("SELECT COUNT(*) FROM kv_staged_id WHERE staged_at < ?", cutoff)
									+ indexed((index) -> index.countBefore(Instant.ofEpochMilli(cutoff))),
							this::trimIds));
		this.trims
			.put(Kind.DEAD_LETTERS, new Trim(retention.deadLetters(),
					(cutoff) -> count("SELECT COUNT(*) FROM kv_dead_letter WHERE created_at < ?", cutoff),
					(cutoff, size) -> deleteEach("DELETE FROM kv_dead_letter WHERE id = ?", keys(
							"SELECT id FROM kv_dead_letter WHERE created_at < ? ORDER BY id FETCH FIRST ? ROWS ONLY",
							cutoff, size))));
		this.trims.put(Kind.LEDGER_DETAIL, new Trim(retention.ledgerDetail(),
				(cutoff) -> count("SELECT COUNT(DISTINCT usage_day) FROM kv_ledger WHERE usage_day < ?", day(cutoff)),
				(cutoff, size) -> rollUpOldestLedgerDay(day(cutoff))));
		this.trims.put(Kind.LEDGER_DAILY, new Trim(retention.ledgerDaily(),
				(cutoff) -> count("SELECT COUNT(*) FROM kv_ledger_daily WHERE usage_day < ?", day(cutoff))
						+ count("SELECT COUNT(*) FROM kv_staged_daily WHERE usage_day < ?", day(cutoff))
						+ FreshnessLog.count(this.jdbc, day(cutoff)),
				(cutoff, size) -> this.jdbc.sql("DELETE FROM kv_ledger_daily WHERE usage_day < ?")
					.param(day(cutoff))
					.update()
						+ this.jdbc.sql("DELETE FROM kv_staged_daily WHERE usage_day < ?").param(day(cutoff)).update()
						+ FreshnessLog.trim(this.jdbc, day(cutoff), size)));
		this.trims.put(Kind.JOB_METADATA, new Trim(retention.jobMetadata(),
				(cutoff) -> count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE END_TIME < ?", batchTime(cutoff)),
				(cutoff, size) -> trimJobMetadata(cutoff, Math.min(size, 500))));
		this.trims.put(Kind.LOCAL_EXPIRED,
				new Trim(Duration.ZERO,
						(cutoff) -> count("SELECT COUNT(*) FROM kv_local WHERE expires_at <= ?", epochSeconds(cutoff)),
						(cutoff, size) -> deleteEach("DELETE FROM kv_local WHERE key_name = ?",
								keys("SELECT key_name FROM kv_local WHERE expires_at <= ? FETCH FIRST ? ROWS ONLY",
										epochSeconds(cutoff), size))));
		this.trims.put(Kind.SPOOL_DONE,
				new Trim(retention.spoolDone(), (cutoff) -> oldSpoolFiles(cutoff).size(), this::trimSpoolDone));
		this.trims.put(Kind.SPOOL_TMP,
				new Trim(retention.spoolTmp(), (cutoff) -> leftoverTmpFiles(cutoff).size(), this::trimSpoolTmp));
	}

	/**
	 * Removes one batch of a kind past its retention.
	 * @return how many rows (or files, or ledger days) were removed; 0 when the kind is
	 * done
	 */
	public long trimBatch(Kind kind) {
		Trim trim = this.trims.get(kind);
		return trim.batch().apply(cutoff(trim.keep()), this.retention.batchSize());
	}

	/** How many rows (or files, or ledger days) of a kind are past their retention. */
	public long due(Kind kind) {
		Trim trim = this.trims.get(kind);
		return trim.due().applyAsLong(cutoff(trim.keep()));
	}

	/**
	 * Applied outbox rows go by id range: the id of the batch's last row bounds a delete
	 * on the primary key.
	 */
	private long trimOutbox(long cutoff, int size) {
		Long upTo = this.jdbc.sql("""
				SELECT MAX(id) FROM (SELECT id FROM kv_outbox WHERE id <= ? AND staged_at < ?
				ORDER BY id FETCH FIRST ? ROWS ONLY) oldest""")
			.params(applied(), cutoff, size)
			.query(Long.class)
			.optional()
			.orElse(null);
		return (upTo != null)
				? this.jdbc.sql("DELETE FROM kv_outbox WHERE id <= ? AND staged_at < ?").params(upTo, cutoff).update()
				: 0;
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

	private long trimJobMetadata(long cutoff, int size) {
		List<Long> executions = keys("""
				SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE END_TIME < ?
				ORDER BY JOB_EXECUTION_ID FETCH FIRST ? ROWS ONLY""", batchTime(cutoff), size);
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

	/**
	 * Ids an earlier version kept in the database go first; then the index, which holds
	 * itself only a moment per batch, so stage runs never wait long.
	 */
	private long trimIds(long cutoff, int size) {
		long legacy = deleteEach("DELETE FROM kv_staged_id WHERE id = ?",
				keys("SELECT id FROM kv_staged_id WHERE staged_at < ? FETCH FIRST ? ROWS ONLY", cutoff, size));
		return (legacy > 0) ? legacy : indexed((index) -> index.trim(Instant.ofEpochMilli(cutoff), size));
	}

	private long indexed(IndexCall call) {
		try {
			return call.apply(this.ids);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@FunctionalInterface
	private interface IndexCall {

		long apply(IdempotencyIndex index) throws IOException;

	}

	/**
	 * A {@code .tmp} file is removed only when unchanged for the retention and not held
	 * by a live stage run (which locks its files): a run reading a slow input keeps its
	 * file however long it takes.
	 */
	private long trimSpoolTmp(long cutoff, int size) {
		List<Path> old = leftoverTmpFiles(cutoff);
		long removed = 0;
		for (Path file : old.subList(0, Math.min(size, old.size()))) {
			try {
				if (!SpoolWriter.inUse(file) && Files.deleteIfExists(file)) {
					removed++;
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return removed;
	}

	private List<Path> leftoverTmpFiles(long cutoff) {
		if (!Files.isDirectory(this.spoolDir)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(this.spoolDir)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".tmp"))
				.filter((file) -> Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS))
				.filter((file) -> unchangedSince(file) < cutoff)
				.filter((file) -> !SpoolWriter.inUse(file))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private long trimSpoolDone(long cutoff, int size) {
		List<Path> old = oldSpoolFiles(cutoff);
		for (Path file : old.subList(0, Math.min(size, old.size()))) {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return Math.min(size, old.size());
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

	/** Deletes rows one primary key at a time, in one JDBC batch. */
	private long deleteEach(String delete, List<?> keys) {
		this.jdbcTemplate.batchUpdate(delete, keys, keys.size(), (ps, key) -> ps.setObject(1, key));
		return keys.size();
	}

	@SuppressWarnings("unchecked")
	private <T> List<T> keys(String sql, Object... params) {
		return (List<T>) this.jdbc.sql(sql).params(params).query((rs, row) -> rs.getObject(1)).list();
	}

	private long count(String sql, Object... params) {
		return this.jdbc.sql(sql).params(params).query(Long.class).single();
	}

	private long applied() {
		return this.cursors.position(Cursors.OUTBOX);
	}

	private long cutoff(Duration keep) {
		return this.clock.millis() - keep.toMillis();
	}

	/** When a file last changed; now for one that is gone (a stage run committed it). */
	private long unchangedSince(Path file) {
		try {
			return Files.getLastModifiedTime(file).toMillis();
		}
		catch (IOException ex) {
			return this.clock.millis();
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

	private static long epochSeconds(long epochMillis) {
		return Math.floorDiv(epochMillis, 1000);
	}

	private static LocalDate day(long epochMillis) {
		return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
	}

	/** Spring Batch stores local date-times of the JVM's zone. */
	private static LocalDateTime batchTime(long epochMillis) {
		return LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneId.systemDefault());
	}

}
