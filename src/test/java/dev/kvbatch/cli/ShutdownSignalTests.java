package dev.kvbatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compress in a real child JVM, interrupted by a real signal in the middle of its
 * flush: SIGTERM ({@link Process#destroy()}) leaves it STOPPED, SIGKILL
 * ({@link Process#destroyForcibly()}) leaves it STARTED; either way a restart ends in the
 * same KV state as a run that was never interrupted.
 */
class ShutdownSignalTests {

	private static final String SMALL_CHUNKS = "--kvbatch.compress.chunk-size=10";

	@TempDir
	Path tmp;

	private Path input;

	private CliRun interrupted;

	@BeforeEach
	void stage() throws IOException {
		this.input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		this.interrupted = new CliRun(this.tmp.resolve("interrupted"));
		assertThat(this.interrupted.run("stage", this.input.toString()).exitCode()).isZero();
	}

	@Test
	void sigtermStopsTheRunAtAChunkBoundaryAndRestartLastResumesIt() throws Exception {
		Process child = startChild("until-stopped");
		try {
			awaitBlocked(child);
			child.destroy();
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ends after SIGTERM").isTrue();
			assertThat(child.exitValue()).as("128 + SIGTERM").isEqualTo(143);
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(this.interrupted.run("executions").out()).contains("compress   STOPPED");
		assertThat(this.interrupted.run("kv", "list").out().lines())
			.as("the chunk in flight when the signal came was committed")
			.hasSize(20);

		CliRun.Result restart = this.interrupted.run("restart", "--last", "compress", SMALL_CHUNKS);

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).contains("compress execution 2: COMPLETED");
		assertSameKvAsACleanRun();
	}

	@Test
	void sigkillLeavesTheRunStartedAndRestartLastRecoversAndResumesIt() throws Exception {
		killChildMidFlush();
		assertThat(this.interrupted.run("executions").out()).contains("compress   STARTED");

		CliRun.Result restart = this.interrupted.run("restart", "--last", "compress", SMALL_CHUNKS);

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).containsPattern("compress execution \\d+: COMPLETED");
		assertSameKvAsACleanRun();
	}

	@Test
	void sigkilledRunIsRecoveredByRecoverAndThenRestarts() throws Exception {
		killChildMidFlush();

		CliRun.Result recover = this.interrupted.run("recover", "1");

		assertThat(recover.exitCode()).as(recover.toString()).isZero();
		assertThat(this.interrupted.run("executions").out()).contains("compress   FAILED").doesNotContain("STARTED");
		CliRun.Result restart = this.interrupted.run("restart", "1", SMALL_CHUNKS);
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).containsPattern("compress execution \\d+: COMPLETED");
		assertSameKvAsACleanRun();
	}

	private void killChildMidFlush() throws Exception {
		Process child = startChild("forever");
		try {
			awaitBlocked(child);
			child.destroyForcibly();
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			child.destroyForcibly();
		}
	}

	private Process startChild(String block) throws IOException {
		return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), SignalledCompressChild.class.getName(),
				this.tmp.resolve("interrupted").toString(), block)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
	}

	private static void awaitBlocked(Process child) {
		BufferedReader childOut = new BufferedReader(
				new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
		assertThat(childOut.lines().filter("BLOCKED"::equals).findFirst()).as("the child reached its second put")
			.isPresent();
	}

	private void assertSameKvAsACleanRun() {
		CliRun clean = new CliRun(this.tmp.resolve("clean"));
		assertThat(clean.run("stage", this.input.toString()).exitCode()).isZero();
		assertThat(clean.run("run", "compress", SMALL_CHUNKS).exitCode()).isZero();
		CliRun.Result list = this.interrupted.run("kv", "list", "--json");
		assertThat(list.exitCode()).as(list.toString()).isZero();
		String afterRestart = list.out();
		assertThat(afterRestart.lines()).hasSize(65);
		assertThat(afterRestart).isEqualTo(clean.run("kv", "list", "--json").out());
	}

}
