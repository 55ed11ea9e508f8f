package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compress decides per dirty physical key from its rule's freshness bound and the next
 * run's time: a key that may wait stays dirty and keeps coalescing, and is sent at the
 * last run before its deadline; {@code flush=all} sends everything now. The shipped rules
 * apply (mobile mappings within 6 h, albums at every run); the clock is moved.
 */
class FreshnessBoundsIntegrationTests {

	private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

	private static final String EVERY_5_MINUTES = "--kvbatch.compress.interval=5m";

	@TempDir
	Path tmp;

	@Test
	void keyWithinItsBoundStaysDirtyKeepsCoalescingAndGoesAtTheLastRunBeforeItsDeadline() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);
		stage(cli, T0, "{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:t1\",\"value\":1}",
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"title\":\"Album\"},\"kind\":\"upload\"}");

		CliRun.Result first = cli.run("run", "compress", EVERY_5_MINUTES, now(T0));
		assertThat(first.out()).as("the album at once, the mapping waits").contains("KV       1 writes");
		assertThat(cli.run("kv", "list", now(T0)).out().lines()).containsExactly("a01");

		stage(cli, T0.plusSeconds(3600), "{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:t2\",\"value\":2}");
		CliRun.Result later = cli.run("run", "compress", EVERY_5_MINUTES, now(T0.plusSeconds(3600)));
		CliRun.Result beforeLast = cli.run("run", "compress", EVERY_5_MINUTES, now(T0.plusSeconds(6 * 3600 - 600)));
		assertThat(later.out()).contains("KV       0 writes, 0 deletes, 0 lists, 0 reads");
		assertThat(beforeLast.out()).contains("KV       0 writes, 0 deletes, 0 lists, 0 reads");
		assertThat(TableRows.rows(cli.dataDir(), "SELECT physical_key FROM kv_dirty ORDER BY due_at"))
			.containsExactly("mobile-batch:dev1", "__counter");

		CliRun.Result last = cli.run("run", "compress", EVERY_5_MINUTES, now(T0.plusSeconds(6 * 3600 - 300)));
		assertThat(last.out()).as("the next run, at 16:00, could be late").contains("KV       1 writes");
		assertThat(cli.run("kv", "get", "mobile-batch:dev1", now(T0.plusSeconds(6 * 3600))).out())
			.as("one write carries both changes")
			.contains("\"t1\":1")
			.contains("\"t2\":2");
		assertThat(TableRows.rows(cli.dataDir(), "SELECT physical_key FROM kv_dirty")).as("the counter may wait a day")
			.containsExactly("__counter");
		assertThat(TableRows.rows(cli.dataDir(), "SELECT rule, sent_at - staged_at FROM kv_write_age ORDER BY id"))
			.containsExactly("direct | 0", "mobile-mapping | " + (6 * 3600 - 300) * 1000);
		assertThat(TableRows.count(cli.dataDir(), "kv_breach")).isZero();
	}

	@Test
	void withoutAKnownNextRunEveryDirtyKeyIsSentAsBefore() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);
		stage(cli, T0, "{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:t1\",\"value\":1}");

		CliRun.Result run = cli.run("run", "compress", now(T0));

		assertThat(run.out()).contains("KV       1 writes");
	}

	@Test
	void flushAllSendsEveryDirtyKeyNow() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);
		stage(cli, T0, "{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:t1\",\"value\":1}",
				"{\"op\":\"put\",\"key\":\"hash:abc\",\"value\":2}");
		assertThat(cli.run("run", "compress", EVERY_5_MINUTES, now(T0)).out()).contains("KV       0 writes");

		CliRun.Result all = cli.run("run", "compress", "flush=all", EVERY_5_MINUTES, now(T0.plusSeconds(60)));

		assertThat(all.exitCode()).as(all.toString()).isZero();
		assertThat(all.out()).contains("KV       2 writes");
		assertThat(cli.run("kv", "list", now(T0)).out().lines()).containsExactly("mobile-batch:dev1",
				"sync-state:batch");
		assertThat(TableRows.count(cli.dataDir(), "kv_breach")).as("nothing was late").isZero();
	}

	@Test
	void aBudgetTooSmallSendsTheEarliestDeadlinesFirstAndRecordsTheKeysItHoldsAsBreaches() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);
		Instant evening = Instant.parse("2026-12-01T19:00:00Z");
		String cap = "--kvbatch.budget.writes-per-day=1";
		stage(cli, evening, "{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:t1\",\"value\":1}");
		stage(cli, evening.plusSeconds(3600),
				"{\"op\":\"put\",\"key\":\"webhook-delivery:w1\",\"value\":2," + "\"at\":\"2026-12-01T20:00:00Z\"}");
		assertThat(cli.run("run", "compress", cap, EVERY_5_MINUTES, now(evening.plusSeconds(3600))).out())
			.contains("KV       0 writes");
		assertThat(TableRows.rows(cli.dataDir(), "SELECT physical_key, due_at FROM kv_dirty ORDER BY id"))
			.as("marked first, due last")
			.containsExactly("mobile-batch:dev1 | " + Instant.parse("2026-12-02T01:00:00Z").toEpochMilli(),
					"webhook-batch:2026-12-01 | " + Instant.parse("2026-12-02T00:15:00Z").toEpochMilli());

		CliRun.Result late = cli.run("run", "compress", cap, EVERY_5_MINUTES, now("2026-12-02T01:05:00Z"));

		assertThat(late.out()).contains("KV       1 writes")
			.contains("1 deferred by the budget")
			.contains("(1 held by the budget past their freshness bound: breaches)");
		assertThat(cli.run("kv", "list", now("2026-12-02T01:06:00Z")).out().lines())
			.as("the earliest deadline went first")
			.containsExactly("webhook-batch:2026-12-01");
		assertThat(TableRows.rows(cli.dataDir(), "SELECT rule, physical_key FROM kv_breach"))
			.containsExactly("mobile-mapping | mobile-batch:dev1");
		cli.run("run", "compress", cap, EVERY_5_MINUTES, now("2026-12-02T01:10:00Z"));
		assertThat(TableRows.count(cli.dataDir(), "kv_breach")).as("once per key and deadline").isEqualTo(1);

		CliRun.Result nextDay = cli.run("run", "compress", cap, EVERY_5_MINUTES, now("2026-12-03T00:00:00Z"));

		assertThat(nextDay.out()).contains("KV       1 writes");
		assertThat(cli.run("kv", "get", "mobile-batch:dev1", now("2026-12-03T00:01:00Z")).out()).as("nothing lost")
			.contains("\"t1\":1");
		assertThat(TableRows.count(cli.dataDir(), "kv_dirty")).isZero();

		CliRun.Result report = cli.run("report", "--date", "2026-12-02", "--format", "json",
				now("2026-12-03T00:02:00Z"));
		assertThat(report.out()).as(report.toString())
			.contains("\"rule\" : \"mobile-mapping\",\n    \"bound\" : \"within 6h\",\n    \"writes\" : 0,\n"
					+ "    \"p50Seconds\" : null,\n    \"maxSeconds\" : null,\n    \"breaches\" : 1")
			.contains("\"rule\" : \"webhook-delivery\",\n    \"bound\" : \"when closed + 15m, within 1d\",\n"
					+ "    \"writes\" : 1,\n    \"p50Seconds\" : " + (5 * 3600 + 5 * 60));
		CliRun.Result text = cli.run("report", "--date", "2026-12-02", now("2026-12-03T00:03:00Z"));
		assertThat(text.out()).as(text.toString())
			.contains("staleness per rule: 1 breaches")
			.containsPattern("mobile-mapping +within 6h +0 +- +- +1");

		CliRun.Result prune = cli.run("run", "prune", "--kvbatch.retention.ledger-daily=2d",
				now("2026-12-10T00:00:00Z"));
		assertThat(prune.exitCode()).as(prune.toString()).isZero();
		assertThat(TableRows.count(cli.dataDir(), "kv_write_age")).as("kept as long as the daily ledger").isZero();
		assertThat(TableRows.count(cli.dataDir(), "kv_breach")).isZero();
	}

	@Test
	void refusesAFlushParameterItDoesNotKnowBeforeAnExecutionExists() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);

		CliRun.Result wrongValue = cli.run("run", "compress", "flush=now", now(T0));
		CliRun.Result misspelt = cli.run("run", "compress", "fluhs=all", now(T0));

		assertThat(wrongValue.exitCode()).isEqualTo(2);
		assertThat(wrongValue.err())
			.isEqualTo("kvbatch: job parameter flush must be all (send every dirty key now), was \"now\"\n");
		assertThat(misspelt.exitCode()).isEqualTo(2);
		assertThat(misspelt.err()).startsWith("kvbatch: compress takes no parameter \"fluhs\" (did you mean flush?)");
		assertThat(TableRows.count(cli.dataDir(), "BATCH_JOB_EXECUTION")).isZero();
	}

	private void stage(CliRun cli, Instant at, String... lines) throws IOException {
		Path file = Files.writeString(this.tmp.resolve("in-" + at.getEpochSecond() + ".jsonl"),
				String.join("\n", lines));
		CliRun.Result staged = cli.run("stage", file.toString(), now(at));
		assertThat(staged.exitCode()).as(staged.toString()).isZero();
	}

	private static String now(String at) {
		return "--test.now=" + at;
	}

	private static String now(Instant at) {
		return "--test.now=" + at;
	}

}
