package dev.kvbatch.cli;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kvbatch demo} as a new user runs it: the table of staged operations against what
 * reached KV.
 */
class DemoCommandTests {

	private static final Pattern ROW = Pattern.compile("(?m)^(writes|deletes|lists) +(\\d+) +(\\d+)$");

	private static final Pattern REPORT = Pattern.compile(
			"(?m)^Usage report of \\d{4}-\\d{2}-\\d{2}: (.+usage-\\d{4}-\\d{2}-\\d{2}\\.)\\{json,csv,txt,html\\}$");

	@TempDir
	Path dataDir;

	@Test
	void printsStagedAgainstSentAndCanRunAgain() {
		CliRun cli = new CliRun(this.dataDir);

		CliRun.Result first = cli.run("demo");
		CliRun.Result second = cli.run("demo");

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).contains("24 compress runs and a prune, 0 failed");
		Matcher rows = ROW.matcher(first.out());
		assertThat(rows.find()).isTrue();
		assertThat(rows.group(1)).isEqualTo("writes");
		assertThat(Long.parseLong(rows.group(2))).isEqualTo(852);
		long writes = Long.parseLong(rows.group(3));
		assertThat(writes).isPositive().isLessThan(852 / 3);
		assertThat(first.out()).contains("Physical keys whose value changed, summed over runs: " + writes);
		assertThat(rows.find() && rows.group(1).equals("deletes")).isTrue();
		assertThat(rows.find() && rows.group(1).equals("lists") && rows.group(3).equals("0")).isTrue();
		assertThat(second.out()).as("the demo starts from an empty folder each time").isEqualTo(first.out());
		Matcher report = REPORT.matcher(first.out());
		assertThat(report.find()).as(first.out()).isTrue();
		for (String extension : new String[] { "json", "csv", "txt", "html" }) {
			assertThat(Path.of(report.group(1) + extension)).isNotEmptyFile();
		}
	}

}
