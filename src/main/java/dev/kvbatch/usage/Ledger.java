package dev.kvbatch.usage;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What was sent to the target, per UTC day: one row per call. Rows join the caller's
 * transaction, so a chunk that rolls back takes its metering with it; a call that reached
 * a remote target but whose chunk then rolled back is re-sent and counted again, as KV
 * bills it again.
 */
@Component
public class Ledger {

	private static final String INSERT = """
			INSERT INTO kv_ledger (usage_day, operation, target, keys, bytes, requests, job_execution_id, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			""";

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

	private final JdbcClient jdbc;

	private final Clock clock;

	public Ledger(JdbcClient jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * Records one call: {@code keys} billed operations carried by {@code requests} HTTP
	 * requests.
	 */
	public void record(Operation operation, String target, long keys, long bytes, int requests) {
		this.jdbc.sql(INSERT)
			.params(today(), operation.label(), target, keys, bytes, requests, currentJobExecutionId(),
					this.clock.millis())
			.update();
	}

	/**
	 * Billed operations sent to a target on a UTC day, per operation (absent ones are 0).
	 */
	public Map<Operation, Long> spentOn(LocalDate day, String target) {
		Map<Operation, Long> spent = zeros();
		this.jdbc.sql(SPENT).params(day, target).query((rs) -> {
			spent.put(Operation.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getLong(2));
		});
		return spent;
	}

	/**
	 * Billed operations sent during one job execution, per operation (absent ones are 0).
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

	private static @Nullable Long currentJobExecutionId() {
		StepContext context = StepSynchronizationManager.getContext();
		return (context != null) ? context.getStepExecution().getJobExecutionId() : null;
	}

}
