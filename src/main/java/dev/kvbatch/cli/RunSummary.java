package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.Operation;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ApplicationContext;

/** Prints what a run did and turns its status into the exit code. */
final class RunSummary {

	private RunSummary() {
	}

	static int print(ApplicationContext context, JobExecution execution, PrintWriter out, PrintWriter err,
			boolean debug) {
		Duration took = (execution.getStartTime() != null && execution.getEndTime() != null)
				? Duration.between(execution.getStartTime(), execution.getEndTime()) : Duration.ZERO;
		boolean dryRun = JobRuns.isDryRun(execution.getJobParameters());
		out.printf("%s execution %d: %s in %.1f s%s%n", execution.getJobInstance().getJobName(), execution.getId(),
				execution.getStatus(), took.toMillis() / 1000.0, dryRun ? " (dry run: nothing was changed)" : "");
		for (StepExecution step : execution.getStepExecutions()) {
			out.printf("  %-8s read %,d, written %,d%s%n", step.getStepName(), step.getReadCount(),
					step.getWriteCount(), details(step));
		}
		Map<Operation, Long> sent = context.getBean(Ledger.class).sentBy(execution.getId());
		out.printf("  KV       %,d writes, %,d deletes, %,d lists, %,d reads%n", sent.get(Operation.WRITE),
				sent.get(Operation.DELETE), sent.get(Operation.LIST), sent.get(Operation.READ));
		String files = execution.getExecutionContext().getString(JobRuns.REPORT_FILES, "");
		if (!files.isEmpty()) {
			out.printf("  report   %s%n", files.replace(",", "\n           "));
		}
		out.printf("  on       %s%n", RunSettings.describe(context));
		if (execution.getStatus() == BatchStatus.COMPLETED) {
			return ExitCodes.OK;
		}
		Throwable failure = execution.getAllFailureExceptions().stream().findFirst().orElse(null);
		if (failure != null) {
			err.println("kvbatch: " + Failures.classify(failure).getMessage());
			if (debug) {
				Failures.printStackTrace(failure, err);
			}
			if (Failures.isConfiguration(failure)) {
				// One line, as for any configuration error: fix it, then run again.
				return ExitCodes.USAGE;
			}
		}
		Optional<String> needs = (failure != null) ? Failures.beforeRestart(failure) : Optional.empty();
		if (needs.isPresent()) {
			err.printf("kvbatch: %s: kvbatch restart %d%n", needs.get(), execution.getId());
		}
		else {
			err.printf("kvbatch: restart with: kvbatch restart %d%n", execution.getId());
		}
		return ExitCodes.FAILED;
	}

	private static String details(StepExecution step) {
		StringBuilder details = new StringBuilder();
		if (step.getReadSkipCount() > 0) {
			details.append(", rejected ").append(step.getReadSkipCount());
		}
		if (step.getFilterCount() > 0) {
			details.append(", duplicates ").append(step.getFilterCount());
		}
		var context = step.getExecutionContext();
		if (context.containsKey(JobRuns.APPLY_ROWS)) {
			details.append(" (the latest of %,d outbox rows)".formatted(context.getLong(JobRuns.APPLY_ROWS)));
		}
		if (context.containsKey("flush.unchanged")) {
			long parked = context.getLong("flush.parked", 0L);
			details.append(" (%,d sent, %,d deleted, %,d unchanged, %,d left dirty, %,d deferred by the budget%s)"
				.formatted(context.getLong("flush.written"), context.getLong("flush.deleted"),
						context.getLong("flush.unchanged"), context.getLong("flush.pending"),
						context.getLong("flush.deferred", 0L),
						(parked > 0) ? ", %,d refused by KV and set aside as dead letters".formatted(parked) : ""));
			long breaches = context.getLong("flush.breaches", 0L);
			if (breaches > 0) {
				details.append(" (%,d held by the budget past their freshness bound: breaches)".formatted(breaches));
			}
		}
		// Counts a step keeps under its own name: expire.rewrites, retention.outbox, ...
		String prefix = step.getStepName() + ".";
		String counts = context.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(prefix) && entry.getValue() instanceof Long)
			.filter((entry) -> !step.getStepName().equals(Steps.FLUSH) && !entry.getKey().equals(JobRuns.APPLY_ROWS))
			.map((entry) -> "%s %,d".formatted(entry.getKey().substring(prefix.length()), entry.getValue()))
			.sorted()
			.collect(Collectors.joining(", "));
		if (!counts.isEmpty()) {
			details.append(" (").append(counts).append(')');
		}
		return details.toString();
	}

}
