package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The first run of kvbatch on a new data folder, killed with {@code kill -9} in a child
 * JVM after one of its migrations was applied and on disk but before Flyway recorded it
 * (H2 does not roll DDL back): the next command runs the migration again to its end, and
 * the folder works as one that was never interrupted. No SQL by hand.
 */
class KillDuringMigrationTests {

	private static final String HISTORY = "SELECT \"version\", \"success\" FROM \"flyway_schema_history\" "
			+ "WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"";

	@TempDir
	Path tmp;

	/**
	 * V1 stands for all here: the crash soak ({@code -Psoak}) kills the first run at
	 * random moments of every migration.
	 */
	@Test
	void theNextCommandRunsAMigrationAKillCutOffAgainToItsEnd() throws IOException {
		String version = "1";
		Path data = this.tmp.resolve("data");
		try (ChildJvm child = ChildJvm.startMain(this.tmp.resolve("child.log"), List.of(),
				MigrationBlockingChild.class.getName(), "executions", "--kvbatch.data-dir=" + data,
				"--test.stop-after-migration=" + version)) {
			await().atMost(Duration.ofMinutes(2)).until(() -> child.output().contains("MIGRATED") || !child.isAlive());
			assertThat(child.isAlive()).as(child.output()).isTrue();
			child.kill();
		}
		assertThat(TableRows.rows(data, HISTORY)).as("killed before Flyway recorded V" + version)
			.noneMatch((row) -> row.startsWith(version + " |"));
		CliRun cli = new CliRun(data);
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		assertThat(cli.run("stage", input.toString()).exitCode()).isZero();

		CliRun.Result compress = cli.run("run", "compress");

		assertThat(compress.exitCode()).as(compress.toString()).isZero();
		Path neverKilled = this.tmp.resolve("never-killed");
		assertThat(new CliRun(neverKilled).run("executions").exitCode()).isZero();
		assertThat(TableRows.rows(data, HISTORY)).as("every migration recorded, none failed")
			.allMatch((row) -> row.endsWith("| TRUE"))
			.isEqualTo(TableRows.rows(neverKilled, HISTORY));
		assertThat(cli.run("kv", "list").out().lines()).hasSize(65);
	}

}
