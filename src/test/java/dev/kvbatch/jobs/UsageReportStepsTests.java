package dev.kvbatch.jobs;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.Operation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The usage report's chunk steps alone: the ledger sums and the outbox backlog, handed to
 * the job's context for the report step.
 */
@ExtendWith(SharedSteps.class)
class UsageReportStepsTests {

	private static final LocalDate DAY = LocalDate.parse("2026-11-23");

	private KvBatchSteps steps;

	@BeforeEach
	void steps(KvBatchSteps steps) {
		this.steps = steps;
	}

	@Test
	void ledgerStepSumsTheTargetsBilledKeysPerDayAndOperationFromDetailAndDailyRows() {
		Ledger ledger = this.steps.bean(Ledger.class);
		call(ledger, DAY.minusDays(20), Operation.WRITE, "local", 9);
		call(ledger, DAY.minusDays(1), Operation.DELETE, "local", 1);
		call(ledger, DAY, Operation.WRITE, "local", 3);
		call(ledger, DAY, Operation.WRITE, "local", 2);
		call(ledger, DAY, Operation.READ, "local", 5);
		call(ledger, DAY, Operation.WRITE, "cloudflare", 7);
		// The two older days' detail is rolled up into daily rows.
		Instant today = DAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
		assertThat(ledger.trim(today, 10) + ledger.trim(today, 10)).isEqualTo(2);
		assertThat(this.steps.rows("SELECT usage_day, operation, keys FROM kv_ledger_daily ORDER BY usage_day"))
			.containsExactly("2026-11-03 | write | 9", "2026-11-22 | delete | 1");
		ExecutionContext report = new ExecutionContext();
		report.putString(ReportDay.FROM, DAY.minusDays(1).toString());
		report.putString(ReportDay.DATE, DAY.toString());

		StepExecution sums = this.steps.runStep(JobNames.USAGE_REPORT, Steps.LEDGER, Map.of(), report);

		assertThat(sums.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(sums.getReadCount()).isEqualTo(3);
		assertThat(sums.getWriteCount()).isEqualTo(3);
		assertThat(sums.getSkipCount()).isZero();
		assertThat(ReportTotals.ledger(sums.getJobExecution())).containsExactly(
				entry(DAY.minusDays(1), Map.of(Operation.DELETE, 1L)),
				entry(DAY, Map.of(Operation.READ, 5L, Operation.WRITE, 5L)));
	}

	@Test
	void backlogStepCountsTheOutboxRowsStagedByTheReportsTime() {
		this.steps.spoolFile("producer-0.jsonl", """
				{"op":"put","key":"hash:aa","value":1}
				{"op":"put","key":"hash:bb","value":2}
				""");
		this.steps.runStep(JobNames.COMPRESS, Steps.INGEST);
		long oldest = this.steps.jdbc().sql("SELECT MIN(staged_at) FROM kv_outbox").query(Long.class).single();
		this.steps.clock().advance(Duration.ofMinutes(1));
		this.steps.spoolFile("producer-1.jsonl", "{\"op\":\"put\",\"key\":\"hash:cc\",\"value\":3}\n");
		this.steps.runStep(JobNames.COMPRESS, Steps.INGEST);
		ExecutionContext report = new ExecutionContext();
		report.putLong(ReportDay.AS_OF, this.steps.clock().millis());

		StepExecution backlog = this.steps.runStep(JobNames.USAGE_REPORT, Steps.BACKLOG, Map.of(), report);

		assertThat(backlog.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(backlog.getReadCount()).isEqualTo(2);
		assertThat(backlog.getWriteCount()).isEqualTo(2);
		assertThat(ReportTotals.pending(backlog.getJobExecution())).isEqualTo(2);
		assertThat(ReportTotals.oldestPending(backlog.getJobExecution())).isEqualTo(Instant.ofEpochMilli(oldest));
	}

	/** One settled call to a target, on a day. */
	private void call(Ledger ledger, LocalDate day, Operation operation, String target, long keys) {
		this.steps.clock().set(day.atTime(12, 0).toInstant(java.time.ZoneOffset.UTC));
		ledger.settle(ledger.begin(operation, target, keys, 10 * keys, 1), keys, 10 * keys);
	}

}
