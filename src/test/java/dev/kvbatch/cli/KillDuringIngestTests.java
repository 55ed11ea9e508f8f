package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A compress in a child JVM, killed with {@code kill -9} while it ingests a day staged as
 * 24 hourly spool files: every file that reached {@code spool/done/} has all its lines in
 * the outbox, and the runs after the kills end with the outbox, the dead letters and KV
 * of a run that was never killed.
 */
class KillDuringIngestTests {

	private static final String OUTBOX = "SELECT op, logical_key, value_json, expires_at, kind, seq FROM kv_outbox ORDER BY id";

	/**
	 * A few lines per transaction: several commits per file, and a move after each file.
	 */
	private static final String FEW_LINES = "--kvbatch.compress.ingest-lines=20";

	@TempDir
	Path tmp;

	@Test
	void spoolFilesMovedToDoneBeforeAKillHaveEveryLineInTheOutbox() throws IOException {
		Path killed = this.tmp.resolve("killed");
		Path clean = this.tmp.resolve("clean");
		stageDay(killed);
		copySpool(killed, clean);

		int kills = 0;
		for (int movedBeforeKill : new int[] { 3, 11 }) {
			try (ChildJvm child = ChildJvm.start(this.tmp.resolve("child-" + kills + ".log"), List.of(), "run",
					"compress", "--kvbatch.data-dir=" + killed, "--kvbatch.jobs-dir=" + CliRun.noJobsDir(killed),
					FEW_LINES)) {
				await().atMost(Duration.ofMinutes(2))
					.pollInterval(Duration.ofMillis(1))
					.until(() -> done(killed) >= movedBeforeKill || !child.isAlive());
				assertThat(child.isAlive()).as("the child is still ingesting:\n" + child.output()).isTrue();
				child.kill();
			}
			kills++;
			assertThat(done(killed)).as("killed before the last file was ingested").isLessThan(ExampleDay.HOURS);
			long loaded = TableRows.count(killed, "kv_outbox") + TableRows.count(killed, "kv_dead_letter");
			assertThat(loaded).as("no file in done/ without its lines").isGreaterThanOrEqualTo(lines(killed));
		}
		CliRun.Result finish = new CliRun(killed).run("run", "compress", FEW_LINES);
		CliRun.Result reference = new CliRun(clean).run("run", "compress", FEW_LINES);

		assertThat(finish.exitCode()).as(finish.toString()).isZero();
		assertThat(reference.exitCode()).as(reference.toString()).isZero();
		assertThat(done(killed)).isEqualTo(ExampleDay.HOURS);
		List<String> expected = TableRows.rows(clean, OUTBOX);
		List<String> actual = TableRows.rows(killed, OUTBOX);
		assertThat(actual).hasSameSizeAs(expected);
		assertThat(actual).as("each staged line once")
			.hasSameSizeAs(expected)
			.containsExactlyInAnyOrderElementsOf(expected);
		assertThat(actual).as("in staging order").isEqualTo(expected);
		assertThat(TableRows.deadLetters(killed)).isEqualTo(TableRows.deadLetters(clean));
		assertThat(new CliRun(killed).run("kv", "list", "--json").out())
			.isEqualTo(new CliRun(clean).run("kv", "list", "--json").out());
		List<String> executions = new CliRun(killed).run("executions", "--job", "compress")
			.out()
			.lines()
			.filter((line) -> line.contains("compress"))
			.toList();
		assertThat(executions).as("no killed execution is forgotten, and the next run recovered each")
			.hasSize(kills + 1)
			.filteredOn((line) -> line.contains("FAILED"))
			.hasSize(kills);
	}

	/** The example day, staged hour by hour: one spool file per hour. */
	private void stageDay(Path dataDir) throws IOException {
		ExampleDay day = new ExampleDay(LocalDate.of(2026, 11, 23));
		CliRun cli = new CliRun(dataDir);
		for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
			Path input = Files.write(this.tmp.resolve("hour-%02d.jsonl".formatted(hour)), day.hour(hour));
			CliRun.Result stage = cli.run("stage", input.toString());
			assertThat(stage.exitCode()).as(stage.toString()).isZero();
		}
	}

	/** The same spool files, under the same names: ingested in the same order. */
	private static void copySpool(Path from, Path to) throws IOException {
		Path spool = Files.createDirectories(to.resolve("spool"));
		try (Stream<Path> files = Files.list(from.resolve("spool"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.copy(file, spool.resolve(file.getFileName()));
			}
		}
	}

	private static long done(Path dataDir) throws IOException {
		Path done = dataDir.resolve("spool/done");
		if (!Files.isDirectory(done)) {
			return 0;
		}
		try (Stream<Path> files = Files.list(done)) {
			return files.count();
		}
	}

	/** Record lines of the files in {@code spool/done/}: their header lines left out. */
	private static long lines(Path dataDir) throws IOException {
		Path done = dataDir.resolve("spool/done");
		if (!Files.isDirectory(done)) {
			return 0;
		}
		long lines = 0;
		try (Stream<Path> files = Files.list(done)) {
			for (Path file : files.toList()) {
				lines += Files.readAllLines(file)
					.stream()
					.filter((line) -> !line.startsWith("{\"kvbatchSpool\":"))
					.count();
			}
		}
		return lines;
	}

}
