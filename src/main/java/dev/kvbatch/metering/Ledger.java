package dev.kvbatch.metering;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import dev.kvbatch.DurableCommits;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
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
 */
@Component
public class Ledger {

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

	private final JdbcClient jdbc;

	private final Clock clock;

	private final TransactionTemplate ownTransaction;

	private final DurableCommits durable;

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
		Long executionId = currentJobExecutionId();
		long id = this.ownTransaction.execute((status) -> {
			GeneratedKeyHolder key = new GeneratedKeyHolder();
			this.jdbc.sql(BEGIN)
				.params(today(), operation.label(), target, keys, bytes, requests, executionId, this.clock.millis())
				.update(key, "id");
			return key.getKeyAs(Number.class).longValue();
		});
		this.durable.sync();
		return id;
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

	private static @Nullable Long currentJobExecutionId() {
		StepContext context = StepSynchronizationManager.getContext();
		return (context != null) ? context.getStepExecution().getJobExecutionId() : null;
	}

}
