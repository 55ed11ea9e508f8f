package dev.kvbatch.jobs;

import java.util.List;
import java.util.Map;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.pack.PhysicalValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compress job's steps one at a time: ingest, apply, flush. Given the spool or the
 * tables a step starts from, when it runs alone, then its counts and the rows it leaves.
 */
@ExtendWith(SharedSteps.class)
class CompressStepsTests {

	private static final String THREE_MAPPINGS = """
			{"op":"put","key":"mobile-mapping:dev1:task1","value":{"thingsId":"T-1"}}
			{"op":"put","key":"mobile-mapping:dev1:task2","value":{"thingsId":"T-2"}}
			{"op":"put","key":"mobile-mapping:dev2:task1","value":{"thingsId":"T-3"}}
			""";

	private KvBatchSteps steps;

	@BeforeEach
	void steps(KvBatchSteps steps) {
		this.steps = steps;
	}

	@Test
	void ingestKeepsTheGoodLinesAndDeadLettersTheBadOne() {
		this.steps.spoolFile("producer-0.jsonl", """
				{"op":"put","key":"mobile-mapping:dev1:task1","value":{"thingsId":"T-1"}}
				{"op":"upsert","key":"mobile-mapping:dev1:task2"}
				{"op":"delete","key":"mobile-mapping:dev2:task1"}
				""");

		StepExecution ingest = this.steps.runStep(JobNames.COMPRESS, Steps.INGEST);

		assertThat(ingest.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(ingest.getReadCount()).isEqualTo(3);
		assertThat(ingest.getWriteCount()).isEqualTo(2);
		assertThat(ingest.getReadSkipCount()).isEqualTo(1);
		assertThat(ingest.getSkipCount()).isEqualTo(1);
		assertThat(ingest.getFilterCount()).isZero();
		assertThat(this.steps.rows("SELECT op, logical_key FROM kv_outbox ORDER BY id"))
			.containsExactly("P | mobile-mapping:dev1:task1", "D | mobile-mapping:dev2:task1");
		assertThat(this.steps.rows("SELECT source, line, field, reason FROM kv_dead_letter"))
			.containsExactly("producer-0.jsonl | 2 | op | must be \"put\" or \"delete\", was \"upsert\"");
		assertThat(ingest.getJobExecution().getExecutionContext().getLong(IngestTasklet.HIGH_WATER))
			.isEqualTo(maxOutboxId());
		assertThat(this.steps.spool().resolve("done/producer-0.jsonl")).exists();
	}

	@Test
	void applyTakesTheOutboxUpToTheHighWaterMarkAndMarksTheirPhysicalKeysDirty() {
		ingest(THREE_MAPPINGS);
		long secondRow = this.steps.jdbc()
			.sql("SELECT id FROM kv_outbox ORDER BY id OFFSET 1 ROWS FETCH FIRST 1 ROWS ONLY")
			.query(Long.class)
			.single();

		StepExecution apply = this.steps.runStep(JobNames.COMPRESS, Steps.APPLY, Map.of(), highWater(secondRow));

		assertThat(apply.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(apply.getReadCount()).isEqualTo(2);
		assertThat(apply.getWriteCount()).isEqualTo(2);
		assertThat(apply.getSkipCount()).isZero();
		assertThat(apply.getExecutionContext().getLong(JobRuns.APPLY_ROWS)).isEqualTo(2);
		assertThat(this.steps.rows("SELECT logical_key, physical_key, field FROM kv_entry ORDER BY logical_key"))
			.containsExactly("mobile-mapping:dev1:task1 | mobile-batch:dev1 | task1",
					"mobile-mapping:dev1:task2 | mobile-batch:dev1 | task2");
		assertThat(this.steps.rows("SELECT physical_key FROM kv_dirty")).containsExactly("mobile-batch:dev1");
	}

	@Test
	void flushWritesTheDirtyKeysAndLedgersTheWritesUnderItsExecution() {
		ingest(THREE_MAPPINGS);
		this.steps.runStep(JobNames.COMPRESS, Steps.APPLY, Map.of(), highWater(maxOutboxId()));

		StepExecution flush = this.steps.runStep(JobNames.COMPRESS, Steps.FLUSH);

		assertThat(flush.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(flush.getReadCount()).isEqualTo(2);
		assertThat(flush.getWriteCount()).isEqualTo(2);
		assertThat(flush.getSkipCount()).isZero();
		ExecutionContext counts = flush.getExecutionContext();
		assertThat(counts.getLong(FlushCounts.WRITTEN)).isEqualTo(2);
		assertThat(counts.getLong("flush.deleted")).isZero();
		assertThat(counts.getLong("flush.unchanged")).isZero();
		assertThat(counts.getLong("flush.pending")).isZero();
		assertThat(this.steps.rows("SELECT key_name, value_text FROM kv_local ORDER BY key_name")).containsExactly(
				"mobile-batch:dev1 | {\"task1\":{\"thingsId\":\"T-1\"},\"task2\":{\"thingsId\":\"T-2\"}}",
				"mobile-batch:dev2 | {\"task1\":{\"thingsId\":\"T-3\"}}");
		assertThat(this.steps.rows("SELECT physical_key FROM kv_dirty")).isEmpty();
		assertThat(
				this.steps.rows("SELECT operation, target, keys, requests, job_execution_id, in_flight FROM kv_ledger"))
			.containsExactly("write | local | 2 | 1 | " + flush.getJobExecutionId() + " | FALSE");
	}

	@Test
	void callsAfterTheStepAreNotLedgeredUnderIt() {
		ingest(THREE_MAPPINGS);
		this.steps.runStep(JobNames.COMPRESS, Steps.APPLY, Map.of(), highWater(maxOutboxId()));
		StepExecution flush = this.steps.runStep(JobNames.COMPRESS, Steps.FLUSH);

		// On the thread that ran the step, as the step's listener let go of it.
		this.steps.bean(KvTarget.class).put(List.of(new PhysicalValue("after-the-run", "1", null)));

		assertThat(this.steps.rows("SELECT keys, job_execution_id FROM kv_ledger ORDER BY id"))
			.containsExactly("2 | " + flush.getJobExecutionId(), "1 | null");
	}

	private void ingest(String lines) {
		this.steps.spoolFile("producer-0.jsonl", lines);
		StepExecution ingest = this.steps.runStep(JobNames.COMPRESS, Steps.INGEST);
		assertThat(ingest.getWriteCount()).isEqualTo(lines.lines().count());
	}

	private long maxOutboxId() {
		return this.steps.jdbc().sql("SELECT MAX(id) FROM kv_outbox").query(Long.class).single();
	}

	private static ExecutionContext highWater(long id) {
		ExecutionContext context = new ExecutionContext();
		context.putLong(IngestTasklet.HIGH_WATER, id);
		return context;
	}

}
