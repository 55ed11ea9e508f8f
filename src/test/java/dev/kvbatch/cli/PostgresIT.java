package dev.kvbatch.cli;

import dev.kvbatch.TestPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kvbatch on a real PostgreSQL server instead of H2: the same staged input ends in the
 * same KV content, prune and restart work, and two processes cannot run the same job at
 * once. Run by {@code ./mvnw -B verify -Ppostgres} against the server that
 * {@code KVBATCH_TEST_POSTGRES_URL} names, never skipped: without it they fail.
 * {@code .ci/run} starts a throwaway server ({@code .ci/postgres}) and sets it.
 */
class PostgresIT {

	@TempDir
	Path tmp;

	@Test
	void compressesPrunesAndRestartsOnPostgresLikeOnH2() throws Exception {
		String database = TestPostgres.freshDatabase();
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), """
				{"op":"put","key":"mobile-mapping:dev1:t1","value":{"thingsId":"T-1"},"expiration":4000000000}
				{"op":"put","key":"mobile-mapping:dev1:t2","value":{"thingsId":"T-2"}}
				{"op":"put","key":"hash:ab","value":1,"id":"evt-1"}
				{"op":"put","key":"hash:ab","value":1,"id":"evt-1"}
				{"op":"put","key":"webhook-delivery:d1","value":{"status":200},"at":"2026-11-23T10:00:00Z"}
				{"op":"put","key":"metrics:cpu:1795600800000:r1","value":3}
				{"op":"put","key":"metrics:cpu:1795600800001:r2","value":{"value":5}}
				{"op":"put","key":"a{seq}","value":{"title":"Album"},"kind":"upload"}
				{"op":"put","key":"bad","value":1,"ttl":5}
				""");
		CliRun postgres = new CliRun(this.tmp.resolve("pg"), FailingTargetConfiguration.class);
		CliRun h2 = new CliRun(this.tmp.resolve("h2"));
		String[] onPostgres = { "--spring.datasource.url=" + database, "--spring.datasource.username=postgres",
				"--test.fail-after-keys=3", "--kvbatch.compress.chunk-size=2" };

		assertThat(postgres.run(with(onPostgres, "stage", input.toString())).exitCode()).isZero();
		CliRun.Result crash = postgres.run(with(onPostgres, "run", "compress"));
		CliRun.Result restart = new CliRun(this.tmp.resolve("pg"))
			.run(with(onPostgres, "restart", "--last", "compress", "--test.fail-after-keys=1000"));
		assertThat(h2.run("stage", input.toString()).exitCode()).isZero();
		assertThat(h2.run("run", "compress", "--kvbatch.compress.chunk-size=2").exitCode()).isZero();

		assertThat(crash.exitCode()).as(crash.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		String onPg = postgres.run(with(onPostgres, "kv", "list", "--json")).out();
		assertThat(onPg.lines()).hasSize(6);
		assertThat(onPg).isEqualTo(h2.run("kv", "list", "--json").out());
		CliRun.Result prune = postgres.run(with(onPostgres, "run", "prune", "dry-run=true"));
		assertThat(prune.exitCode()).as(prune.toString()).isZero();
		assertThat(postgres.run(with(onPostgres, "run", "prune")).exitCode()).isZero();
		assertThat(postgres.run(with(onPostgres, "executions")).out()).contains("prune      COMPLETED")
			.contains("compress   COMPLETED");
	}

	@Test
	void secondRunInAnotherProcessExitsThreeWhileTheFirstHoldsTheLock() throws Exception {
		String database = TestPostgres.freshDatabase();
		String[] onPostgres = { "--spring.datasource.url=" + database, "--spring.datasource.username=postgres" };
		CliRun cli = new CliRun(this.tmp.resolve("pg"));
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		assertThat(cli.run(with(onPostgres, "stage", input.toString())).exitCode()).isZero();
		Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), SignalledCompressChild.class.getName(),
				this.tmp.resolve("pg").toString(), "forever", onPostgres[0], onPostgres[1])
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			BufferedReader childOut = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
			assertThat(childOut.lines().filter("BLOCKED"::equals).findFirst()).isPresent();

			CliRun.Result second = cli.run(with(onPostgres, "run", "compress"));

			assertThat(second.exitCode()).as(second.toString()).isEqualTo(ExitCodes.LOCKED);
			assertThat(second.err())
				.isEqualTo("kvbatch: another compress run holds the lock; try again when it has finished\n");
			child.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
			child.getOutputStream().flush();
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(child.exitValue()).isZero();
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(cli.run(with(onPostgres, "kv", "list")).out().lines()).hasSize(65);
	}

	private static String[] with(String[] settings, String... args) throws IOException {
		String[] all = new String[args.length + settings.length];
		System.arraycopy(args, 0, all, 0, args.length);
		System.arraycopy(settings, 0, all, args.length, settings.length);
		return all;
	}

}
