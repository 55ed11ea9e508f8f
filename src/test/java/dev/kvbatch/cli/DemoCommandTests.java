package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
		Matcher day = Pattern.compile("usage-(\\d{4}-\\d{2}-\\d{2})\\.$").matcher(report.group(1));
		assertThat(day.find()).isTrue();
		Path demoDir = this.dataDir.resolve("demo");
		assertThat(first.out()).as("the exact command that shows the demo's report")
			.contains("See it:      ./kvbatch report --date " + day.group(1) + " --kvbatch.data-dir=" + demoDir + "\n");
		JsonNode compression = JsonMapper.builder()
			.build()
			.readTree(Path.of(report.group(1) + "json").toFile())
			.path("compression");
		assertThat(compression.path("ratio").asDouble()).isGreaterThan(3);
		assertThat(first.out()).as("one savings figure, the report's")
			.contains("Packing: %,d logical writes (direct cost) became %,d KV writes and deletes: %s× fewer\n"
				.formatted(compression.path("logicalWrites").asLong(), compression.path("kvWrites").asLong(),
						compression.path("ratio").asDouble()))
			.doesNotContain("% saved");
		StringWriter shown = new StringWriter();
		int code = new Cli().output(new PrintWriter(shown, true), new PrintWriter(new StringWriter(), true))
			.run("report", "--date", day.group(1), "--kvbatch.data-dir=" + demoDir,
					"--kvbatch.jobs-dir=" + CliRun.noJobsDir(this.dataDir));
		assertThat(code).isZero();
		assertThat(shown.toString())
			.contains("compression   %,d logical writes".formatted(compression.path("logicalWrites").asLong()));
	}

}
