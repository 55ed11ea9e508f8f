package dev.kvbatch.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kvbatch bench} on a small workload: it prints every figure of BENCHMARKS.md, and
 * the KV operations it measures match the optimum. Speed is not asserted: benchmarks
 * print figures, tests check behaviour.
 */
class BenchCommandTests {

	private static final String FILE = "[\\d,.]+ MiB open, [\\d,.]+ MiB closed, [\\d,.]+ MiB compacted \\([\\d.]+×\\)";

	private static final Pattern KV = Pattern
		.compile("KV operations +direct ([\\d,]+) · coalescing only ([\\d,]+) · optimum ([\\d,]+) · kvbatch ([\\d,]+)");

	private static final Pattern BOUNDED = Pattern.compile(
			"KV writes, a day +staged in hourly slices, the optimum: every run ([\\d,]+) · under the rules' bounds ([\\d,]+)");

	@TempDir
	Path dataDir;

	@Test
	void printsTheFiguresAndSendsTheOptimumOfKvOperations() {
		CliRun.Result bench = new CliRun(this.dataDir).run("bench", "--ops", "3000", "--cold-runs", "1");

		assertThat(bench.exitCode()).as(bench.toString()).isZero();
		List<String> lines = bench.out().lines().toList();
		assertThat(lines.get(0)).startsWith("kvbatch bench: 3,000 staged operations over 100 distinct logical keys");
		assertThat(bench.out())
			.containsPattern("stage +[\\d,]+ lines/s +the same lines, each with an id +[\\d,]+ lines/s +ratio [\\d.]+")
			.containsPattern("ingest +[\\d,]+ rows/s +raw JDBC parse \\+ batched insert +[\\d,]+ rows/s")
			.containsPattern("compress +[\\d,]+ rows/s +raw JDBC primary-key scan +[\\d,]+ rows/s")
			.containsPattern("peak heap +[1-9][\\d,]* MiB live after a full GC, of [\\d,]+ MiB max")
			.containsPattern("H2 file +after compress " + FILE + " · after prune " + FILE)
			// The cold starts need the packaged jar (CdsArchiveIT times them); in-process
			// bench says so.
			.contains("cold JVM             skipped: start bench from kvbatch.jar")
			.containsPattern(
					"targets +stage with ids [\\d.]+ ≥ 0\\.80 (met|missed by [\\d.]+) · ingest [\\d.]+ ≥ 0\\.70 "
							+ "(met|missed by [\\d.]+) · compress/raw-jdbc [\\d.]+ ≥ 0\\.40 "
							+ "(met|missed by [\\d.]+) · H2 file closed/compacted [\\d.]+ ≤ 3\\.00 (met|missed by [\\d.]+) "
							+ "· KV = optimum met");
		Matcher kv = KV.matcher(bench.out());
		assertThat(kv.find()).as(bench.out()).isTrue();
		assertThat(kv.group(1)).isEqualTo("3,000");
		assertThat(kv.group(2)).isEqualTo("100");
		assertThat(kv.group(4)).isEqualTo(kv.group(3));
		Matcher day = BOUNDED.matcher(bench.out());
		assertThat(day.find()).as(bench.out()).isTrue();
		long everyRun = Long.parseLong(day.group(1).replace(",", ""));
		long bounded = Long.parseLong(day.group(2).replace(",", ""));
		assertThat(bounded).as("the bounds save writes").isPositive().isLessThan(everyRun);
		assertThat(bounded).as("at least one write per changed physical key")
			.isGreaterThanOrEqualTo(Long.parseLong(kv.group(3).replace(",", "")));
		assertThat(lines.get(lines.size() - 1)).matches("compress/raw-jdbc: \\d+\\.\\d\\d");
	}

}
