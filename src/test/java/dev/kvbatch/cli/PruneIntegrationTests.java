package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;
import dev.kvbatch.stage.FileIdempotencyIndex;
import dev.kvbatch.stage.SpoolWriter;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kvbatch run prune} with a moved clock: expired entries leave packed keys, KV's
 * own expiration is never paid for with a delete, and every local table stays within its
 * retention.
 */
class PruneIntegrationTests {

	private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

	@TempDir
	Path tmp;

	@Test
	void expiresMapEntriesOneByOneRollupBucketsWholeAndLeavesKvToExpireKeys() throws IOException {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data, FixedClockConfiguration.class);
		long hour = T0.minus(Duration.ofHours(1)).toEpochMilli();
		stage(cli, T0, """
				{"op":"put","key":"mobile-mapping:dev1:t1","value":"one","expiration":%d}
				{"op":"put","key":"mobile-mapping:dev1:t2","value":"two","expiration":%d}
				{"op":"put","key":"album","value":{"title":"x"},"expiration":%d}
				{"op":"put","key":"metrics:cpu:%d:r1","value":1,"expiration":%d}
				{"op":"put","key":"metrics:cpu:%d:r2","value":{"value":2},"expiration":%d}
				""".formatted(at(1), at(2), at(1), hour, at(1), hour + 1, at(2)));
		assertThat(cli.run("run", "compress", now(T0)).out()).contains("KV       3 writes");

		CliRun.Result firstHour = cli.run("run", "prune", now(T0.plusSeconds(3601)));

		assertThat(firstHour.exitCode()).as(firstHour.toString()).isZero();
		assertThat(firstHour.out()).contains("KV       1 writes, 0 deletes");
		assertThat(cli.run("kv", "get", "mobile-batch:dev1", now(T0.plusSeconds(3601))).out().trim())
			.isEqualTo("{\"t2\":\"two\"}");
		assertThat(cli.run("kv", "get", "metrics:hour:2026-11-24T09", now(T0.plusSeconds(3601))).out().trim())
			.as("a bucket with live entries keeps all its counts")
			.isEqualTo("{\"cpu\":{\"count\":2,\"sum\":3,\"min\":1,\"max\":2}}");

		CliRun.Result secondHour = cli.run("run", "prune", now(T0.plusSeconds(7201)));

		assertThat(secondHour.out()).contains("KV       0 writes, 0 deletes");
		assertThat(cli.run("kv", "list", now(T0.plusSeconds(7201))).out()).isEmpty();
		assertThat(TableRows.count(data, "kv_entry")).isZero();
		assertThat(TableRows.count(data, "kv_physical")).isZero();
		assertThat(TableRows.count(data, "kv_dirty")).isZero();
	}

	@Test
	void dryRunReportsWhatItWouldRemoveAndCostWithoutChangingAnything() throws IOException {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data, FixedClockConfiguration.class);
		stage(cli, T0, """
				{"op":"put","key":"mobile-mapping:dev1:t1","value":1,"expiration":%d}
				{"op":"put","key":"mobile-mapping:dev1:t2","value":2}
				{"op":"put","key":"album","value":3,"expiration":%d}
				""".formatted(at(1), at(1)));
		cli.run("run", "compress", now(T0));

		CliRun.Result dryRun = cli.run("run", "prune", "dry-run=true", now(T0.plusSeconds(3601)));

		assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
		assertThat(dryRun.out()).contains("(dry run: nothing was changed)")
			.contains("expire   read 2, written 2 (left-to-kv 1, rewrites 1)")
			.contains("KV       0 writes, 0 deletes")
			.doesNotContain("flush");
		assertThat(TableRows.count(data, "kv_entry")).isEqualTo(3);
		assertThat(cli.run("kv", "get", "mobile-batch:dev1", now(T0.plusSeconds(3601))).out().trim())
			.isEqualTo("{\"t1\":1,\"t2\":2}");
		CliRun.Result notABoolean = cli.run("run", "prune", "dry-run=yes", now(T0.plusSeconds(3602)));
		CliRun.Result misspelt = cli.run("run", "prune", "dryrun=true", now(T0.plusSeconds(3603)));
		assertThat(notABoolean.exitCode()).as(notABoolean.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(notABoolean.err()).isEqualTo("kvbatch: job parameter dry-run must be true or false, was \"yes\"\n");
		assertThat(misspelt.exitCode()).as(misspelt.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(misspelt.err()).isEqualTo("kvbatch: prune takes no parameter \"dryrun\" (did you mean dry-run?);"
				+ " prune takes dry-run=true|false\n");
		assertThat(TableRows.count(data, "kv_entry")).as("a refused dry run removes nothing").isEqualTo(3);
	}

	@Test
	void keepsEveryLocalTableWithinItsRetention() throws IOException {
		// Spring Batch stamps executions with the wall clock, so this test's clock starts
		// at the wall clock's hour: job metadata ages along with everything else.
		Instant t0 = Instant.now().truncatedTo(ChronoUnit.HOURS);
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data, FixedClockConfiguration.class);
		stage(cli, t0, """
				{"op":"put","key":"album","value":1,"id":"evt-1"}
				{"op":"put","key":"short-lived","value":1,"ttl":60}
				{"op":"put","key":"bad","value":1,"ttl":5}
				""");
		cli.run("run", "compress", now(t0));
		assertThat(TableRows.count(data, "kv_outbox")).isEqualTo(2);
		assertThat(stagedIds(data)).isEqualTo(1);
		assertThat(TableRows.count(data, "kv_dead_letter")).isEqualTo(1);
		assertThat(TableRows.count(data, "kv_ledger")).isEqualTo(1);
		assertThat(TableRows.count(data, "kv_local")).isEqualTo(2);
		assertThat(Files.list(data.resolve("spool/done")))
			.as("an ingested file is dated by the job's clock, which its retention counts from")
			.singleElement()
			.satisfies((done) -> assertThat(Files.getLastModifiedTime(done).toInstant()).isEqualTo(t0));
		Path spool = data.resolve("spool");
		Path deadRun = Files.writeString(spool.resolve("stage-1-dead.jsonl.tmp"), "{\"op\":");
		Files.setLastModifiedTime(deadRun, FileTime.from(t0));
		Path recent = Files.writeString(spool.resolve("producer.jsonl.tmp"), "{\"op\":");
		Files.setLastModifiedTime(recent, FileTime.from(t0.plus(Duration.ofHours(2))));
		SpoolWriter.Batch slowRun = new SpoolWriter(spool, JsonMapper.builder().build(), Clock.systemUTC()).open();
		Files.setLastModifiedTime(slowRun.tmpFile(), FileTime.from(t0));
		String[] retention = { "--kvbatch.retention.outbox=1h", "--kvbatch.retention.idempotency-ids=1d",
				"--kvbatch.retention.dead-letters=1d", "--kvbatch.retention.ledger-detail=2d",
				"--kvbatch.retention.ledger-daily=3d", "--kvbatch.retention.job-metadata=2d",
				"--kvbatch.retention.spool-done=1d", "--kvbatch.retention.batch-size=1" };

		CliRun.Result nextDay = cli.run(args(retention, "run", "prune", now(t0.plus(Duration.ofHours(25)))));

		assertThat(nextDay.exitCode()).as(nextDay.toString()).isZero();
		assertThat(TableRows.count(data, "kv_outbox")).isZero();
		assertThat(stagedIds(data)).isZero();
		assertThat(deadRun).as("left by a run that died a day ago").doesNotExist();
		assertThat(recent).as("changed within the day").exists();
		assertThat(slowRun.tmpFile()).as("a live run's file, however old").exists();
		slowRun.close();
		assertThat(TableRows.count(data, "kv_dead_letter")).isZero();
		assertThat(TableRows.count(data, "kv_local")).as("KV drops expired keys itself").isEqualTo(1);
		assertThat(TableRows.count(data, "kv_ledger")).as("detail is kept two days").isEqualTo(1);
		assertThat(Files.list(data.resolve("spool/done")).count()).isZero();
		assertThat(TableRows.count(data, "BATCH_JOB_EXECUTION")).isEqualTo(2);

		cli.run(args(retention, "run", "prune", now(t0.plus(Duration.ofDays(3)).plusSeconds(1))));

		assertThat(TableRows.count(data, "kv_ledger")).isZero();
		assertThat(TableRows.count(data, "kv_ledger_daily")).as("rolled up per day, target and operation").isEqualTo(1);
		// Every finished run is past the two-day retention: only the running prune is
		// left.
		assertThat(TableRows.count(data, "BATCH_JOB_EXECUTION")).isEqualTo(1);
		assertThat(TableRows.count(data, "BATCH_JOB_INSTANCE")).isEqualTo(1);

		cli.run(args(retention, "run", "prune", now(t0.plus(Duration.ofDays(5)))));

		assertThat(TableRows.count(data, "kv_ledger_daily")).isZero();
		assertThat(TableRows.count(data, "kv_staged_daily")).isZero();
	}

	@Test
	void interruptedPruneRestartsToTheSameKvStateAsACleanOne() throws IOException {
		String input = """
				{"op":"put","key":"mobile-mapping:a:old","value":1,"expiration":%d}
				{"op":"put","key":"mobile-mapping:a:new","value":2}
				{"op":"put","key":"mobile-mapping:b:old","value":3,"expiration":%d}
				{"op":"put","key":"mobile-mapping:b:new","value":4}
				{"op":"put","key":"mobile-mapping:c:old","value":5,"expiration":%d}
				{"op":"put","key":"mobile-mapping:c:new","value":6}
				""".formatted(at(1), at(1), at(1));
		String later = now(T0.plusSeconds(3601));
		CliRun interrupted = new CliRun(this.tmp.resolve("interrupted"), FixedClockConfiguration.class);
		CliRun failing = new CliRun(this.tmp.resolve("interrupted"), FixedClockConfiguration.class,
				FailingTargetConfiguration.class);
		CliRun clean = new CliRun(this.tmp.resolve("clean"), FixedClockConfiguration.class);
		for (CliRun cli : new CliRun[] { interrupted, clean }) {
			stage(cli, T0, input);
			cli.run("run", "compress", now(T0));
		}

		CliRun.Result crash = failing.run("run", "prune", later, "--kvbatch.compress.chunk-size=1",
				"--test.fail-after-keys=1");
		assertThat(crash.exitCode()).as(crash.toString()).isEqualTo(ExitCodes.FAILED);
		CliRun.Result restart = interrupted.run("restart", "--last", "prune", later);
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).contains("KV       2 writes");
		assertThat(clean.run("run", "prune", later).out()).contains("KV       3 writes");

		assertThat(interrupted.run("kv", "list", "--json", later).out())
			.isEqualTo(clean.run("kv", "list", "--json", later).out())
			.contains("{\\\"new\\\":2}");
	}

	/** The ids the data folder's idempotency index holds. */
	private static long stagedIds(Path data) throws IOException {
		return new FileIdempotencyIndex(data.resolve("ids"), data.resolve("spool"), Clock.systemUTC())
			.countBefore(Instant.MAX);
	}

	private void stage(CliRun cli, Instant now, String lines) throws IOException {
		Path file = Files.writeString(Files.createTempFile(this.tmp, "in", ".jsonl"), lines);
		assertThat(cli.run("stage", file.toString(), now(now)).exitCode()).isZero();
	}

	private static long at(int hours) {
		return T0.plus(Duration.ofHours(hours)).getEpochSecond();
	}

	private static String now(Instant now) {
		return "--test.now=" + now;
	}

	private static String[] args(String[] settings, String... args) {
		String[] all = new String[settings.length + args.length];
		System.arraycopy(args, 0, all, 0, args.length);
		System.arraycopy(settings, 0, all, args.length, settings.length);
		return all;
	}

}
