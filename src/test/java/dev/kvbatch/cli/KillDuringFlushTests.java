package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A compress in a child JVM writing to a slow Cloudflare KV (WireMock), killed with
 * {@code kill -9} while a bulk write is on the wire, after KV took and billed it: the
 * ledger, written ahead of each request, still counts it, so the ledger agrees with what
 * KV billed and the daily budget is never passed across the kill.
 */
class KillDuringFlushTests {

	private static final String NOW = "--test.now=2026-11-23T10:00:00Z";

	private static final String SMALL_CHUNKS = "--kvbatch.compress.chunk-size=10";

	private static final String WRITES = "SELECT COALESCE(SUM(keys), 0) FROM kv_ledger WHERE operation = 'write'";

	private static final String IN_FLIGHT = "SELECT COUNT(*), COALESCE(SUM(keys), 0) FROM kv_ledger WHERE in_flight";

	@TempDir
	Path tmp;

	private FakeCloudflareKv kv;

	private Path data;

	@BeforeEach
	void stage() throws IOException {
		this.kv = FakeCloudflareKv.startServer();
		this.data = this.tmp.resolve("data");
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		CliRun.Result stage = cli().run("stage", input.toString(), NOW);
		assertThat(stage.exitCode()).as(stage.toString()).isZero();
	}

	@AfterEach
	void stopKv() {
		this.kv.stopServer();
	}

	@Test
	void theLedgerCountsTheWriteKvBilledWhoseAnswerTheKillCutOffAndTheBudgetHolds() {
		killDuringThirdBulkWrite();

		assertThat(this.kv.billedWrites()).as("three chunks of 10 reached KV").isEqualTo(30);
		assertThat(TableRows.rows(this.data, WRITES)).as("two settled, one in flight").containsExactly("30");
		assertThat(TableRows.rows(this.data, IN_FLIGHT)).containsExactly("1 | 10");

		CliRun.Result capped = cli()
			.run(cloudflare("restart", "--last", "compress", SMALL_CHUNKS, NOW, "--kvbatch.budget.writes-per-day=35"));

		assertThat(capped.exitCode()).as(capped.toString()).isZero();
		assertThat(capped.out()).contains("deferred by the budget");
		assertThat(this.kv.billedWrites()).as("30 before the kill, 5 after: the budget of 35 holds").isEqualTo(35);
		assertThat(TableRows.rows(this.data, WRITES)).containsExactly("35");

		CliRun.Result uncapped = cli()
			.run(cloudflare("run", "compress", SMALL_CHUNKS, "--test.now=2026-11-23T11:00:00Z"));

		assertThat(uncapped.exitCode()).as(uncapped.toString()).isZero();
		assertThat(this.kv.snapshot()).hasSize(65);
		assertThat(this.kv.billedWrites()).as("the chunk cut off is sent again, and billed again").isEqualTo(75);
		assertThat(TableRows.rows(this.data, WRITES)).containsExactly("75");
		assertThat(TableRows.rows(this.data, IN_FLIGHT)).as("the killed request still counts as spent")
			.containsExactly("1 | 10");
	}

	/**
	 * Runs compress in a child JVM against a KV that answers the first two bulk writes at
	 * once and the third only after a minute, and kills the child once the third has
	 * arrived.
	 */
	private void killDuringThirdBulkWrite() {
		this.kv.delayBulkAnswers(Duration.ofMinutes(1), 2);
		try (ChildJvm child = ChildJvm.startMain(this.tmp.resolve("child.log"), List.of(),
				FixedClockChild.class.getName(), cloudflare("run", "compress", SMALL_CHUNKS, NOW,
						"--kvbatch.data-dir=" + this.data, "--kvbatch.jobs-dir=" + CliRun.noJobsDir(this.data)))) {
			await().atMost(Duration.ofMinutes(2)).until(() -> this.kv.bulkRequests() >= 3 || !child.isAlive());
			assertThat(child.isAlive()).as(child.output()).isTrue();
			child.kill();
		}
		this.kv.delayBulkAnswers(Duration.ZERO);
	}

	private CliRun cli() {
		return new CliRun(this.data, FixedClockConfiguration.class, NoSleepConfiguration.class);
	}

	private String[] cloudflare(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--kvbatch.target=cloudflare");
		all.add("--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT);
		all.add("--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE);
		all.add("--kvbatch.cloudflare.api-token=" + FakeCloudflareKv.TOKEN);
		all.add("--kvbatch.cloudflare.base-url=" + this.kv.baseUrl());
		return all.toArray(String[]::new);
	}

}
