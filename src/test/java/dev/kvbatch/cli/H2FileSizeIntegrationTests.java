package dev.kvbatch.cli;

import dev.kvbatch.bench.Bench;
import dev.kvbatch.bench.SeedWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compress run leaves the H2 file under three times its compacted size (a copy after
 * {@code SHUTDOWN COMPACT}, which compresses pages): kvbatch's H2 URL compresses pages
 * too, and H2 gives dead space back as the run's process closes the database.
 * <p>
 * After a prune H2's close-time compaction does not always get to the space prune's
 * deletes freed (see BENCHMARKS.md), so that is measured by the benchmark, not asserted
 * here.
 */
class H2FileSizeIntegrationTests {

	private static final Instant DAY = Instant.parse("2026-11-23T00:00:00Z");

	/** Enough for the file to grow to several times its compacted size during a run. */
	private static final int OPERATIONS = 20_000;

	@TempDir
	Path dataDir;

	@TempDir
	Path copies;

	@Test
	void compressLeavesTheFileWithinThreeTimesItsCompactedSize() throws Exception {
		CliRun cli = new CliRun(this.dataDir);
		spool("first-day");

		CliRun.Result compress = cli.run("run", "compress");

		assertThat(compress.exitCode()).as(compress.toString()).isZero();
		assertThat(compress.out()).contains("ingest   read 20,000");
		assertWithinThreeTimesCompacted("after compress");
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
		long compacted = Bench.compactedSize(file, this.copies.resolve(when.replace(' ', '-')));
		assertThat(size).as("%s: the file has %,d bytes, a compacted copy %,d", when, size, compacted)
			.isLessThan(3 * compacted);
	}

}
