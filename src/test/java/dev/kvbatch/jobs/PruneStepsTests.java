package dev.kvbatch.jobs;

import java.time.Duration;
import java.util.Map;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prune job's expire step alone: given entries flushed an hour before two of them
 * expire, when the step runs two hours later, then its counts and the rows it leaves.
 */
@ExtendWith(SharedSteps.class)
class PruneStepsTests {

	private KvBatchSteps steps;

	@BeforeEach
	void flushedEntries(KvBatchSteps steps) {
		this.steps = steps;
		long inAnHour = KvBatchSteps.T0.plus(Duration.ofHours(1)).getEpochSecond();
		steps.spoolFile("producer-0.jsonl", """
				{"op":"put","key":"hash:aa","value":1,"expiration":%d}
				{"op":"put","key":"hash:bb","value":2}
				{"op":"put","key":"mobile-mapping:dev1:task1","value":{"thingsId":"T-1"},"expiration":%d}
				""".formatted(inAnHour, inAnHour));
		steps.runStep(JobNames.COMPRESS, Steps.INGEST);
		ExecutionContext highWater = new ExecutionContext();
		highWater.putLong(IngestTasklet.HIGH_WATER,
				steps.jdbc().sql("SELECT MAX(id) FROM kv_outbox").query(Long.class).single());
		steps.runStep(JobNames.COMPRESS, Steps.APPLY, Map.of(), highWater);
		assertThat(steps.runStep(JobNames.COMPRESS, Steps.FLUSH).getWriteCount()).isEqualTo(2);
		steps.clock().advance(Duration.ofHours(2));
	}

	@Test
	void expireRemovesTheExpiredEntriesAndMarksTheirPhysicalKeysDirty() {
		StepExecution expire = this.steps.runStep(JobNames.PRUNE, Steps.EXPIRE);

		assertThat(expire.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(expire.getReadCount()).isEqualTo(2);
		assertThat(expire.getWriteCount()).isEqualTo(2);
		assertThat(expire.getSkipCount()).isZero();
		assertThat(this.steps.rows("SELECT logical_key FROM kv_entry")).containsExactly("hash:bb");
		assertThat(this.steps.rows("SELECT physical_key FROM kv_dirty ORDER BY physical_key"))
			.containsExactly("mobile-batch:dev1", "sync-state:batch");
		assertThat(expire.getExecutionContext().containsKey(ExpiredEntryWriter.REWRITES)).isFalse();
	}

	@Test
	void expireInADryRunCountsWhatItWouldCostAndChangesNothing() {
		StepExecution expire = this.steps.runStep(JobNames.PRUNE, Steps.EXPIRE, Map.of(JobRuns.DRY_RUN, "true"),
				new ExecutionContext());

		assertThat(expire.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(expire.getReadCount()).isEqualTo(2);
		assertThat(expire.getWriteCount()).isEqualTo(2);
		ExecutionContext counts = expire.getExecutionContext();
		// The rest of sync-state:batch is written again; mobile-batch:dev1 expires in KV.
		assertThat(counts.getLong(ExpiredEntryWriter.REWRITES)).isEqualTo(1);
		assertThat(counts.getLong(ExpiredEntryWriter.LEFT_TO_KV)).isEqualTo(1);
		assertThat(counts.containsKey(ExpiredEntryWriter.DELETES)).isFalse();
		assertThat(this.steps.rows("SELECT logical_key FROM kv_entry ORDER BY logical_key")).containsExactly("hash:aa",
				"hash:bb", "mobile-mapping:dev1:task1");
		assertThat(this.steps.rows("SELECT physical_key FROM kv_dirty")).isEmpty();
	}

}
