package dev.kvbatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two processes that can both open the database (an H2 server here, as PostgreSQL
 * allows): while one runs compress, a second {@code run compress} exits 3 at once with
 * one line, other jobs still run, and the first run ends unharmed.
 */
class RunLockTests {

	@TempDir
	Path tmp;

	private Server server;

	private String url;

	@BeforeEach
	void startServer() throws Exception {
		this.server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", this.tmp.toString()).start();
		this.url = "jdbc:h2:tcp://localhost:" + this.server.getPort() + "/kvbatch";
	}

	@AfterEach
	void stopServer() {
		this.server.stop();
	}

	@Test
	void secondRunOfTheSameJobInAnotherProcessExitsThreeAndTheFirstFinishes() throws Exception {
		CliRun cli = new CliRun(this.tmp.resolve("data"));
		String database = "--spring.datasource.url=" + this.url;
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		assertThat(cli.run("stage", input.toString()).exitCode()).isZero();
		Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), SignalledCompressChild.class.getName(),
				this.tmp.resolve("data").toString(), "forever", database)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			BufferedReader childOut = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
			assertThat(childOut.lines().filter("BLOCKED"::equals).findFirst()).as("the child is in its flush")
				.isPresent();

			CliRun.Result second = cli.run("run", "compress", database);
			CliRun.Result ingest = cli.run("run", "ingest", database);
			CliRun.Result prune = cli.run("run", "prune", "dry-run=true", database);

			assertThat(second.exitCode()).as(second.toString()).isEqualTo(ExitCodes.LOCKED);
			assertThat(second.err())
				.isEqualTo("kvbatch: another compress run holds the lock; try again when it has finished\n");
			assertThat(ingest.exitCode()).as("ingest is compress's first step: " + ingest).isEqualTo(ExitCodes.LOCKED);
			assertThat(prune.exitCode()).as(prune.toString()).isZero();

			OutputStream release = child.getOutputStream();
			release.write("go\n".getBytes(StandardCharsets.UTF_8));
			release.flush();
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(child.exitValue()).isZero();
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(cli.run("kv", "list", database).out().lines()).hasSize(65);
		assertThat(cli.run("executions", "--job", "compress", database).out()).contains("compress   COMPLETED")
			.doesNotContain("FAILED");
	}

	@Test
	void aKilledHolderReleasesTheLock() throws Exception {
		CliRun cli = new CliRun(this.tmp.resolve("data"));
		String database = "--spring.datasource.url=" + this.url;
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		assertThat(cli.run("stage", input.toString()).exitCode()).isZero();
		Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), SignalledCompressChild.class.getName(),
				this.tmp.resolve("data").toString(), "forever", database)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			BufferedReader childOut = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
			assertThat(childOut.lines().filter("BLOCKED"::equals).findFirst()).isPresent();
			child.destroyForcibly();
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			child.destroyForcibly();
		}

		CliRun.Result restart = cli.run("restart", "--last", "compress", "--kvbatch.compress.chunk-size=10", database);

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(cli.run("kv", "list", database).out().lines()).hasSize(65);
	}

}
