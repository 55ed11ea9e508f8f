package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Executions a dead process left STARTING or STARTED (it was killed, ran out of memory or
 * lost its node before it could record how they ended) are marked FAILED, with one line,
 * by {@code restart} and by the next {@code run} of the job: the run lock proves that no
 * live process runs them.
 */
@ExtendWith(OutputCaptureExtension.class)
class DeadExecutionRecoveryTests {

	private static final String SMALL_CHUNKS = "--kvbatch.compress.chunk-size=10";

	@TempDir
	Path tmp;

	@Test
	void restartRecoversAnExecutionLeftStartingAndRunsItToTheEnd(CapturedOutput output) throws Exception {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data);
		stage(cli);
		assertThat(cli.run("executions").exitCode()).isZero();
		CrashingTrigger.install(data, "kv_spool_progress", 0);
		assertThat(cli.run("run", "compress").exitCode()).isEqualTo(ExitCodes.FAILED);
		CrashingTrigger.remove(data, "kv_spool_progress");
		leaveStarting(data, 1);
		assertThat(cli.run("executions").out()).contains("compress   STARTING");

		CliRun.Result restart = cli.run("restart", "1", SMALL_CHUNKS);

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(recoveryLines(output)).singleElement()
			.asString()
			.endsWith("compress execution 1 was left STARTING by a process that is gone; marked FAILED, restarting it");
		assertThat(restart.out()).contains("compress execution 2: COMPLETED");
		assertThat(cli.run("kv", "list").out().lines()).hasSize(65);
	}

	@Test
	void theNextRunOfAJobRecoversTheExecutionAKilledProcessLeftStarted(CapturedOutput output) throws Exception {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data);
		stage(cli);
		assertThat(new CliRun(data, FailingTargetConfiguration.class)
			.run("run", "compress", SMALL_CHUNKS, "--test.fail-after-keys=25")
			.exitCode()).isEqualTo(ExitCodes.FAILED);
		leaveStarted(data, 1);
		assertThat(cli.run("executions").out()).contains("compress   STARTED");

		CliRun.Result run = cli.run("run", "compress", SMALL_CHUNKS);

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(recoveryLines(output)).singleElement()
			.asString()
			.endsWith("compress execution 1 was left STARTED by a process that is gone; marked FAILED");
		assertThat(cli.run("executions", "--job", "compress").out()).contains("compress   FAILED")
			.contains("compress   COMPLETED")
			.doesNotContain("STARTED");
		assertThat(cli.run("kv", "list").out().lines()).as("the new run took up the killed run's work").hasSize(65);
		assertThat(cli.run("run", "compress", SMALL_CHUNKS).exitCode()).isZero();
		assertThat(recoveryLines(output)).as("recovered once").hasSize(1);
	}

	/** The lines saying an execution was recovered (logged to stderr). */
	private static List<String> recoveryLines(CapturedOutput output) {
		return output.getAll().lines().filter((line) -> line.contains("by a process that is gone")).toList();
	}

	private void stage(CliRun cli) throws IOException {
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		assertThat(cli.run("stage", input.toString()).exitCode()).isZero();
	}

	/**
	 * The rows a process killed between creating an execution and starting it leaves: the
	 * execution STARTING, no step begun.
	 */
	private static void leaveStarting(Path data, long executionId) throws SQLException {
		try (Connection connection = TableRows.connect(data); Statement sql = connection.createStatement()) {
			String steps = "SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = " + executionId;
			sql.executeUpdate("DELETE FROM BATCH_STEP_EXECUTION_CONTEXT WHERE STEP_EXECUTION_ID IN (" + steps + ")");
			sql.executeUpdate("DELETE FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = " + executionId);
			sql.executeUpdate("UPDATE BATCH_JOB_EXECUTION SET STATUS = 'STARTING', EXIT_CODE = 'UNKNOWN', "
					+ "START_TIME = NULL, END_TIME = NULL WHERE JOB_EXECUTION_ID = " + executionId);
		}
	}

	/**
	 * The rows a process killed in the middle of a flush leaves (as the kill tests and
	 * the crash soak produce with real kills): the execution and its step STARTED.
	 */
	private static void leaveStarted(Path data, long executionId) throws SQLException {
		try (Connection connection = TableRows.connect(data); Statement sql = connection.createStatement()) {
			sql.executeUpdate("UPDATE BATCH_STEP_EXECUTION SET STATUS = 'STARTED', EXIT_CODE = 'EXECUTING', "
					+ "END_TIME = NULL WHERE STATUS = 'FAILED' AND JOB_EXECUTION_ID = " + executionId);
			sql.executeUpdate("UPDATE BATCH_JOB_EXECUTION SET STATUS = 'STARTED', EXIT_CODE = 'UNKNOWN', "
					+ "END_TIME = NULL WHERE JOB_EXECUTION_ID = " + executionId);
		}
	}

}
