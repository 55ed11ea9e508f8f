package dev.kvbatch.metering;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Arrays;
import java.util.Objects;

import dev.kvbatch.DurableCommits;
import dev.kvbatch.Trimmable;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What was sent to the target, per UTC day: one row per call, written ahead of it.
 *
 * <p>
 * {@link #begin} records a call as in flight in a transaction of its own, commits it and
 * has it written to disk ({@link DurableCommits}) before the caller sends anything;
 * {@link #settle} records the answer. Neither joins the caller's transaction: a chunk
 * that rolls back, or a process killed while its request was on the wire, leaves the row
 * in flight, and an in-flight row counts as spent (KV may have billed its request). So
 * the budget, which trusts the ledger, is never passed across kills, and the ledger
 * counts at least what KV billed, at most the requests in flight at a kill more. A call
 * sent again after a rollback is counted again, as KV bills it again. Thread-safe.
 *
 * <p>
 * A row names the job execution whose calls it records, when its thread was
 * {@linkplain #attributeTo attributed} to one (the jobs do so for each step they run, on
 * the step's thread); calls from anywhere else (the HTTP API, a command outside a job)
 * name none.
 */
@Component
public class Ledger implements Trimmable {

	private static final String BEGIN = """
			INSERT INTO kv_ledger (usage_day, operation, target, keys, bytes, requests, job_execution_id, recorded_at,
			in_flight) VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE)
			""";

	private static final String SETTLE = "UPDATE kv_ledger SET keys = ?, bytes = ?, in_flight = FALSE WHERE id = ?";

	private static final String SPENT = """
			SELECT operation, SUM(keys) FROM kv_ledger WHERE usage_day = ? AND target = ? GROUP BY operation
			""";

	private static final String SENT_BY = """
			SELECT operation, SUM(keys) FROM kv_ledger WHERE job_execution_id = ? GROUP BY operation
			""";

	private static final String EXHAUSTED = """
			SELECT COUNT(*) FROM kv_quota_exhausted WHERE usage_day = ? AND target = ? AND operation = ?
			""";

	private static final String MARK_EXHAUSTED = """
			INSERT INTO kv_quota_exhausted (usage_day, target, operation, recorded_at) VALUES (?, ?, ?, ?)
			""";

	private static final String DETAIL_DAYS_DUE = "SELECT COUNT(DISTINCT usage_day) FROM kv_ledger WHERE usage_day < ?";

	private static final String OLDEST_DETAIL_DAY = "SELECT MIN(usage_day) FROM kv_ledger WHERE usage_day < ?";

	/**
	 * A day's detail is rolled up at once, so a daily row is never half a day (no upsert
	 * needed).
	 */
	private static final String ROLL_UP_DAY = """
			INSERT INTO kv_ledger_daily (usage_day, target, operation, keys, bytes, requests)
			SELECT usage_day, target, operation, SUM(keys), SUM(bytes), SUM(requests) FROM kv_ledger
			WHERE usage_day = ? GROUP BY usage_day, target, operation""";

	private static final String DELETE_DETAIL_DAY = "DELETE FROM kv_ledger WHERE usage_day = ?";

	private static final String DELETE_EXHAUSTED_UP_TO = "DELETE FROM kv_quota_exhausted WHERE usage_day <= ?";

	private static final String DAILY_DUE = "SELECT COUNT(*) FROM kv_ledger_daily WHERE usage_day < ?";

	private static final String DELETE_DAILY_BEFORE = "DELETE FROM kv_ledger_daily WHERE usage_day < ?";

	/**
	 * The {@code FROM} of the keys a target was billed per day and operation: the detail
	 * of the recent days and the daily roll-up of the older ones (a day is in one or the
	 * other, never both). Named parameters {@code :from}, {@code :to}, {@code :target};
	 * one row per day and operation, so it pages on {@code (usage_day, operation)}.
	 */
	public static final String KEYS_PER_DAY = """
			(SELECT usage_day, operation, SUM(keys) AS keys FROM (
			SELECT usage_day, operation, keys FROM kv_ledger
			WHERE usage_day >= :from AND usage_day <= :to AND target = :target
			UNION ALL
			SELECT usage_day, operation, keys FROM kv_ledger_daily
			WHERE usage_day >= :from AND usage_day <= :to AND target = :target) billed
			GROUP BY usage_day, operation) per_day""";

	private final JdbcClient jdbc;

	private final Clock clock;

	private final TransactionTemplate ownTransaction;

	private final DurableCommits durable;

	/** The job execution whose calls this thread sends, if any. */
	private final ThreadLocal<@Nullable Long> jobExecution = new ThreadLocal<>();

	public Ledger(JdbcClient jdbc, Clock clock, PlatformTransactionManager transactions, DurableCommits durable) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.durable = durable;
	}

	/**
	 * Records a call about to be sent as in flight, and returns once the record is
	 * committed and on disk: {@code keys} billed operations carried by {@code requests}
	 * HTTP requests.
	 * @return the row, for {@link #settle}
	 */
	public long begin(Operation operation, String target, long keys, long bytes, int requests) {
		Long executionId = this.jobExecution.get();
		long id = this.ownTransaction.execute((status) -> {
			GeneratedKeyHolder key = new GeneratedKeyHolder();
			this.jdbc.sql(BEGIN)
				.params(Arrays.asList(today(), operation.label(), target, keys, bytes, requests, executionId,
						this.clock.millis()))
				.update(key, "id");
			return Objects.requireNonNull(key.getKeyAs(Number.class), "the ledger row's id").longValue();
		});
		this.durable.sync();
		return id;
	}

	/**
	 * Attributes the calls this thread records from now on to a job execution, or to
	 * none; the thread keeps the attribution until it is changed.
	 * @param jobExecutionId the execution, {@code null} for none
	 */
	public void attributeTo(@Nullable Long jobExecutionId) {
		if (jobExecutionId == null) {
			this.jobExecution.remove();
		}
		else {
			this.jobExecution.set(jobExecutionId);
		}
	}

	/**
	 * Records the answer to a call {@link #begin} recorded: what KV billed, {@code 0}
	 * keys for a call it refused. Losing this commit to a crash is safe: the row then
	 * stays in flight, counted as {@code begin} recorded it.
	 */
	public void settle(long id, long keys, long bytes) {
		this.ownTransaction.executeWithoutResult((status) -> this.jdbc.sql(SETTLE).params(keys, bytes, id).update());
	}

	/**
	 * Billed operations sent to a target on a UTC day, per operation (absent ones are 0),
	 * those in flight included.
	 */
	public Map<Operation, Long> spentOn(LocalDate day, String target) {
		Map<Operation, Long> spent = zeros();
		this.jdbc.sql(SPENT).params(day, target).query((rs) -> {
			spent.put(Operation.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getLong(2));
		});
		return spent;
	}

	/**
	 * Billed operations sent during one job execution, per operation (absent ones are 0),
	 * those in flight included.
	 */
	public Map<Operation, Long> sentBy(long jobExecutionId) {
		Map<Operation, Long> sent = zeros();
		this.jdbc.sql(SENT_BY).param(jobExecutionId).query((rs) -> {
			sent.put(Operation.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getLong(2));
		});
		return sent;
	}

	/** Whether KV refused an operation kind for the rest of a UTC day. */
	public boolean exhausted(LocalDate day, String target, Operation operation) {
		return this.jdbc.sql(EXHAUSTED).params(day, target, operation.label()).query(Long.class).single() > 0;
	}

	/**
	 * Records that KV refused an operation kind for the rest of today (UTC), in the
	 * caller's transaction.
	 */
	public void markExhausted(String target, Operation operation) {
		LocalDate today = today();
		if (!exhausted(today, target, operation)) {
			this.jdbc.sql(MARK_EXHAUSTED).params(today, target, operation.label(), this.clock.millis()).update();
		}
	}

	/** Today in UTC, the day KV's free-plan counters reset on. */
	public LocalDate today() {
		return LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
	}

	private static Map<Operation, Long> zeros() {
		Map<Operation, Long> zeros = new EnumMap<>(Operation.class);
		for (Operation operation : Operation.values()) {
			zeros.put(operation, 0L);
		}
		return zeros;
	}

	/** Days of per-call detail are trimmed by rolling each up into daily rows. */
	@Override
	public String kind() {
		return "ledger-detail";
	}

	@Override
	public long due(Instant cutoff) {
		return this.jdbc.sql(DETAIL_DAYS_DUE).param(utcDay(cutoff)).query(Long.class).single();
	}

	/**
	 * Rolls the oldest day of detail before the cutoff's day up into daily rows, drops
	 * its detail and the quota marks up to it.
	 * @return 1, or 0 when no day is due (a day is the batch, whatever its size)
	 */
	@Override
	public long trim(Instant cutoff, int batchSize) {
		LocalDate day = this.jdbc.sql(OLDEST_DETAIL_DAY)
			.param(utcDay(cutoff))
			.query(LocalDate.class)
			.optional()
			.orElse(null);
		if (day == null) {
			return 0;
		}
		this.jdbc.sql(ROLL_UP_DAY).param(day).update();
		this.jdbc.sql(DELETE_DETAIL_DAY).param(day).update();
		this.jdbc.sql(DELETE_EXHAUSTED_UP_TO).param(day).update();
		return 1;
	}

	/** Daily roll-up rows of days before {@code day}. */
	/** The oldest day of the daily roll-up before a day, if any. */
	@Nullable LocalDate oldestDailyDayBefore(LocalDate day) {
		return this.jdbc.sql("SELECT MIN(usage_day) FROM kv_ledger_daily WHERE usage_day < ?")
			.param(day)
			.query(LocalDate.class)
			.list()
			.get(0);
	}

	long dailyRowsBefore(LocalDate day) {
		return this.jdbc.sql(DAILY_DUE).param(day).query(Long.class).single();
	}

	/**
	 * Deletes the daily roll-up rows of days before {@code day}, in the caller's
	 * transaction.
	 */
	long trimDailyRowsBefore(LocalDate day) {
		return this.jdbc.sql(DELETE_DAILY_BEFORE).param(day).update();
	}

	private static LocalDate utcDay(Instant instant) {
		return LocalDate.ofInstant(instant, ZoneOffset.UTC);
	}

}
