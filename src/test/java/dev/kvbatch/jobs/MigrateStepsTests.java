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
 * The migrate job's load and delete-legacy steps alone, against legacy keys an app wrote
 * to the local target before kvbatch.
 */
@ExtendWith(SharedSteps.class)
class MigrateStepsTests {

	private KvBatchSteps steps;

	@BeforeEach
	void legacyKeys(KvBatchSteps steps) {
		this.steps = steps;
		steps.bean(KvTarget.class)
			.put(List.of(new PhysicalValue("mobile-mapping:dev1:task1", "{\"thingsId\":\"T-1\"}", null),
					new PhysicalValue("mobile-mapping:dev1:task2", "{\"thingsId\":\"T-2\"}", null),
					new PhysicalValue("hash:aa", "1", null),
					new PhysicalValue("metrics:cpu:notanumber:r1", "3", null)));
	}

	@Test
	void loadTakesTheLegacyKeysIntoTheLogicalStoreAndLedgersItsListsAndReads() {
		StepExecution load = load();

		assertThat(load.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(load.getReadCount()).isEqualTo(4);
		assertThat(load.getWriteCount()).isEqualTo(4);
		assertThat(load.getSkipCount()).isZero();
		ExecutionContext counts = load.getExecutionContext();
		assertThat(counts.getLong("load.loaded")).isEqualTo(3);
		assertThat(counts.getLong("load.rejected")).isEqualTo(1);
		assertThat(counts.getLong("load.skipped")).isZero();
		assertThat(counts.containsKey(MigrateJobConfiguration.STOPPED_BY_BUDGET)).isFalse();
		assertThat(this.steps.rows("SELECT logical_key, physical_key FROM kv_entry ORDER BY logical_key"))
			.containsExactly("hash:aa | sync-state:batch", "mobile-mapping:dev1:task1 | mobile-batch:dev1",
					"mobile-mapping:dev1:task2 | mobile-batch:dev1");
		assertThat(this.steps.rows("SELECT logical_key FROM kv_migrated ORDER BY logical_key"))
			.containsExactly("hash:aa", "mobile-mapping:dev1:task1", "mobile-mapping:dev1:task2");
		assertThat(this.steps.rows("SELECT physical_key FROM kv_dirty ORDER BY physical_key"))
			.containsExactly("mobile-batch:dev1", "sync-state:batch");
		assertThat(this.steps.rows("SELECT source, line FROM kv_dead_letter")).hasSize(1)
			.allSatisfy((row) -> assertThat(row).startsWith("migrate"));
		// The legacy keys' put ran outside any step; the step's lists and reads are its
		// (the metrics key is refused by its name, unread).
		assertThat(this.steps.rows("""
				SELECT operation, SUM(keys), job_execution_id FROM kv_ledger
				GROUP BY operation, job_execution_id ORDER BY operation""")).containsExactly(
				"list | 4 | " + load.getJobExecutionId(), "read | 3 | " + load.getJobExecutionId(), "write | 4 | null");
	}

	@Test
	void deleteLegacyDeletesOnlyTheVerifiedLegacyKeys() {
		load();
		this.steps.jdbc()
			.sql("UPDATE kv_migrated SET verified_at = 1 WHERE logical_key IN ('hash:aa', 'mobile-mapping:dev1:task1')")
			.update();

		StepExecution delete = this.steps.runStep(JobNames.MIGRATE, Steps.DELETE_LEGACY);

		assertThat(delete.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(delete.getReadCount()).isEqualTo(2);
		assertThat(delete.getWriteCount()).isEqualTo(2);
		assertThat(delete.getExecutionContext().getLong("delete-legacy.deleted")).isEqualTo(2);
		assertThat(this.steps.rows("SELECT key_name FROM kv_local ORDER BY key_name"))
			.containsExactly("metrics:cpu:notanumber:r1", "mobile-mapping:dev1:task2");
		assertThat(this.steps.rows("""
				SELECT logical_key FROM kv_migrated WHERE legacy_deleted_at IS NOT NULL ORDER BY logical_key"""))
			.containsExactly("hash:aa", "mobile-mapping:dev1:task1");
		assertThat(
				this.steps.rows("SELECT keys, job_execution_id FROM kv_ledger WHERE operation = 'delete' ORDER BY id"))
			.containsExactly("2 | " + delete.getJobExecutionId());
	}

	private StepExecution load() {
		return this.steps.runStep(JobNames.MIGRATE, Steps.LOAD, Map.of("run.at", KvBatchSteps.T0.toString()),
				new ExecutionContext());
	}

}
