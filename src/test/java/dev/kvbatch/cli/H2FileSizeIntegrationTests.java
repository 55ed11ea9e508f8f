package dev.kvbatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scheduled run leaves the H2 file under three times its compacted size (a copy after
 * {@code SHUTDOWN COMPACT}), after compress and after a prune that deletes the applied
 * outbox: each run's process closes the database, and H2 gives the dead space back as it
 * closes. While the runs had the database open, the file grew to several times that.
 */
class H2FileSizeIntegrationTests {

	private static final Instant DAY = Instant.parse("2026-11-23T00:00:00Z");

	/** Enough for the file to grow to several times its compacted size during a run. */
	private static final int OPERATIONS = 100_000;

	@TempDir
	Path dataDir;

	@TempDir
	Path copies;

	@Test
	void eachRunLeavesTheFileWithinThreeTimesItsCompactedSize() throws Exception {
		CliRun cli = new CliRun(this.dataDir);
		spool("first-day");

		CliRun.Result compress = cli.run("run", "compress");

		assertThat(compress.exitCode()).as(compress.toString()).isZero();
		assertThat(compress.out()).contains("ingest   read 100,000");
		assertWithinThreeTimesCompacted("after compress");

		spool("second-day");
		assertThat(cli.run("run", "ingest").exitCode()).isZero();
		CliRun.Result prune = cli.run("run", "prune", "--kvbatch.retention.outbox=0s");

		assertThat(prune.exitCode()).as(prune.toString()).isZero();
		assertThat(prune.out()).containsPattern("outbox +100,000");
		assertWithinThreeTimesCompacted("after prune");
	}

	/**
	 * Drops a day of seed-shaped operations into the spool folder, as a producer does.
	 */
	private void spool(String name) throws Exception {
		Path written = new SeedWorkload(OPERATIONS, DAY).writeSpoolFile(this.copies.resolve(name));
		Files.createDirectories(this.dataDir.resolve("spool"));
		Files.move(written, this.dataDir.resolve("spool").resolve(name + ".jsonl"));
	}

	private void assertWithinThreeTimesCompacted(String when) throws Exception {
		Path file = this.dataDir.resolve("kvbatch.mv.db");
		long size = Files.size(file);
		long compacted = compactedCopy(file, this.copies.resolve(when.replace(' ', '-')));
		assertThat(size).as("%s: the file has %,d bytes, a compacted copy %,d", when, size, compacted)
			.isLessThan(3 * compacted);
	}

	/** The size of a copy of the file after {@code SHUTDOWN COMPACT}. */
	private static long compactedCopy(Path file, Path dir) throws Exception {
		Files.createDirectories(dir);
		Files.copy(file, dir.resolve("kvbatch.mv.db"));
		try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("kvbatch"), "sa", "")) {
			connection.createStatement().execute("SHUTDOWN COMPACT");
		}
		return Files.size(dir.resolve("kvbatch.mv.db"));
	}

}
