package dev.kvbatch.jobs;

import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * The sums the usage-report job's chunk steps count. Each chunk adds to its step's
 * execution context, which is saved with the chunk's commit (with the reader's position),
 * so a restart neither loses nor double-counts rows; a completed step copies its sums to
 * the job's context for the report step.
 */
final class ReportTotals {

	/** Billed operations per {@code day|operation}, e.g. {@code 2026-11-23|write}. */
	static final String LEDGER_KEY = "usage.ledger";

	static final String PENDING_KEY = "usage.pending";

	static final String OLDEST_KEY = "usage.oldestStagedAt";

	static final StepExecutionListener LEDGER = new Promoting(
			(context) -> context.put(LEDGER_KEY, new HashMap<String, Long>()), LEDGER_KEY);

	static final StepExecutionListener BACKLOG = new Promoting((context) -> {
		context.putLong(PENDING_KEY, 0L);
		context.putLong(OLDEST_KEY, -1L);
	}, PENDING_KEY, OLDEST_KEY);

	private ReportTotals() {
	}

	/** Adds each chunk of ledger rows to the step's sums. */
	static ItemWriter<LedgerRow> ledgerWriter(StepExecution step) {
		return (chunk) -> addLedger(step.getExecutionContext(), chunk);
	}

	/** Adds each chunk of outbox rows to the step's backlog. */
	static ItemWriter<PendingRow> pendingWriter(StepExecution step) {
		return (chunk) -> addPending(step.getExecutionContext(), chunk);
	}

	private static void addLedger(ExecutionContext context, Chunk<? extends LedgerRow> chunk) {
		@SuppressWarnings("unchecked")
		HashMap<String, Long> sums = new HashMap<>((Map<String, Long>) context.get(LEDGER_KEY));
		for (LedgerRow row : chunk) {
			sums.merge(row.day() + "|" + row.operation(), row.keys(), Long::sum);
		}
		context.put(LEDGER_KEY, sums);
	}

	private static void addPending(ExecutionContext context, Chunk<? extends PendingRow> chunk) {
		long oldest = context.getLong(OLDEST_KEY);
		for (PendingRow row : chunk) {
			oldest = (oldest < 0) ? row.stagedAt() : Math.min(oldest, row.stagedAt());
		}
		context.putLong(PENDING_KEY, context.getLong(PENDING_KEY) + chunk.size());
		context.putLong(OLDEST_KEY, oldest);
	}

	/** The ledger sums from the job's context, per day and operation. */
	static Map<LocalDate, Map<Operation, Long>> ledger(JobExecution job) {
		@SuppressWarnings("unchecked")
		Map<String, Long> sums = (Map<String, Long>) job.getExecutionContext().get(LEDGER_KEY);
		Map<LocalDate, Map<Operation, Long>> ledger = new TreeMap<>();
		if (sums != null) {
			sums.forEach((key, keys) -> {
				String[] parts = key.split("\\|");
				ledger.computeIfAbsent(LocalDate.parse(parts[0]), (day) -> new EnumMap<>(Operation.class))
					.merge(Operation.valueOf(parts[1].toUpperCase(Locale.ROOT)), keys, Long::sum);
			});
		}
		return ledger;
	}

	static long pending(JobExecution job) {
		return job.getExecutionContext().getLong(PENDING_KEY, 0L);
	}

	static @Nullable Instant oldestPending(JobExecution job) {
		long oldest = job.getExecutionContext().getLong(OLDEST_KEY, -1L);
		return (oldest < 0) ? null : Instant.ofEpochMilli(oldest);
	}

	record LedgerRow(LocalDate day, String operation, long keys) {
	}

	record PendingRow(long stagedAt) {
	}

	/** Starts a step's sums at zero (unless restarted) and hands them to the job. */
	private static final class Promoting implements StepExecutionListener {

		private final Consumer<ExecutionContext> start;

		private final String[] keys;

		Promoting(Consumer<ExecutionContext> start, String... keys) {
			this.start = start;
			this.keys = keys;
		}

		@Override
		public void beforeStep(StepExecution step) {
			// A restarted step finds the sums its last committed chunk saved.
			if (!step.getExecutionContext().containsKey(this.keys[0])) {
				this.start.accept(step.getExecutionContext());
			}
		}

		@Override
		public @Nullable ExitStatus afterStep(StepExecution step) {
			if (ExitStatus.COMPLETED.equals(step.getExitStatus())) {
				for (String key : this.keys) {
					step.getJobExecution().getExecutionContext().put(key, step.getExecutionContext().get(key));
				}
			}
			return null;
		}

	}

}
