package dev.kvbatch.cli;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.Operation;
import dev.kvbatch.metering.StagedTally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's example day, staged hour by hour with a compress after each, checked against
 * KV itself: every write sent is a (run, physical key) whose stored value or expiration
 * changed, every delete removed a key, and nothing is listed.
 */
@SpringBootTest(classes = KvBatchApplication.class)
class ExampleDayIntegrationTests {

	@TempDir
	static Path dataDir;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("kvbatch.data-dir", dataDir::toString);
		registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dataDir.resolve("kvbatch"));
	}

	@Autowired
	Stager stager;

	@Autowired
	JobRuns runs;

	@Autowired
	KvTarget target;

	@Autowired
	Ledger ledger;

	@Autowired
	StagedTally tally;

	private long snapshotLists;

	@Test
	void sendsOneWritePerChangedPhysicalKeyPerRunAndNoLists() throws Exception {
		ExampleDay day = new ExampleDay(LocalDate.of(2026, 11, 23));
		Map<String, KvTarget.StoredValue> before = Map.of();
		long changedPairs = 0;
		long removedPairs = 0;
		for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
			byte[] lines = String.join("\n", day.hour(hour)).getBytes(StandardCharsets.UTF_8);
			this.stager.stage(List.of(new Stager.Source("hour-" + hour, new ByteArrayInputStream(lines))), (key) -> {
			}, (rejection) -> {
				throw new AssertionError(rejection.message());
			});
			JobExecution run = this.runs.start("compress", Map.of());
			assertThat(run.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			Map<String, KvTarget.StoredValue> after = snapshot();
			for (Map.Entry<String, KvTarget.StoredValue> entry : after.entrySet()) {
				if (!Objects.equals(before.get(entry.getKey()), entry.getValue())) {
					changedPairs++;
				}
			}
			removedPairs += before.keySet().stream().filter((key) -> !after.containsKey(key)).count();
			before = after;
		}
		Map<Operation, Long> sent = this.ledger.spentOn(this.ledger.today(), "local");

		assertThat(sent.get(Operation.WRITE)).isEqualTo(changedPairs).isLessThan(250);
		assertThat(sent.get(Operation.DELETE)).isEqualTo(removedPairs);
		assertThat(sent.get(Operation.LIST)).as("lists other than this test's snapshots").isEqualTo(this.snapshotLists);
		StagedTally.Counts staged = this.tally.on(this.ledger.today());
		assertThat(staged.puts()).isEqualTo(ExampleDay.MAPPING_PUTS + ExampleDay.HASH_PUTS + ExampleDay.WEBHOOK_PUTS
				+ ExampleDay.METRIC_PUTS + ExampleDay.UPLOADS);
		assertThat(staged.deletes())
			.isEqualTo(ExampleDay.MAPPING_DELETES + ExampleDay.HASH_DELETES + ExampleDay.WEBHOOK_DELETES);
		assertThat(staged.uploads()).isEqualTo(ExampleDay.UPLOADS);
	}

	/**
	 * Everything KV holds; the lists this costs are the test's own, so they are not held
	 * against the jobs.
	 */
	private Map<String, KvTarget.StoredValue> snapshot() {
		Map<String, KvTarget.StoredValue> values = new HashMap<>();
		String cursor = null;
		do {
			KvTarget.ListPage page = this.target.list("", cursor, 1000);
			this.snapshotLists++;
			this.target.bulkGet(page.keys().stream().map(KvTarget.ListedKey::key).toList())
				.forEach((value) -> values.put(value.key(), value));
			cursor = page.cursor();
		}
		while (cursor != null);
		return values;
	}

}
