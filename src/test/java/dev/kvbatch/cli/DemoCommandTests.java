package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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

	private static final Pattern CADENCE_RULE = Pattern.compile(
			"(?m)^  (\\S+) +(\\S.*?) +(\\d+) +(\\d+) +(\\d+s|\\d+m \\d+s|\\d+h \\d+m|-) +(\\d+s|\\d+m \\d+s|\\d+h \\d+m|-)$");

	private static final Pattern CADENCE_TOTAL = Pattern.compile("(?m)^  all rules +(\\d+) +(\\d+)$");

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
		assertCadence(first.out(), writes);
		StringWriter shown = new StringWriter();
		int code = new Cli().output(new PrintWriter(shown, true), new PrintWriter(new StringWriter(), true))
			.run("report", "--date", day.group(1), "--kvbatch.data-dir=" + demoDir,
					"--kvbatch.jobs-dir=" + CliRun.noJobsDir(this.dataDir));
		assertThat(code).isZero();
		assertThat(shown.toString())
			.contains("compression   %,d logical writes".formatted(compression.path("logicalWrites").asLong()));
	}

	/**
	 * The day at a 5-minute cadence: within: 0 sends what the hourly runs sent, the
	 * shipped bounds far fewer, albums at once, and every rule's worst staleness is
	 * within its bound.
	 */
	private static void assertCadence(String out, long hourlyWrites) {
		assertThat(out).containsPattern(
				"(?m)^The same day at a 5-minute compress cadence, on a moved clock: 3\\d\\d runs, until every change is in KV$");
		Matcher total = CADENCE_TOTAL.matcher(out);
		assertThat(total.find()).as(out).isTrue();
		long everyRun = Long.parseLong(total.group(1));
		long bounded = Long.parseLong(total.group(2));
		assertThat(everyRun).as("within: 0 at a 5-minute cadence writes what a run after each slice writes")
			.isEqualTo(hourlyWrites);
		assertThat(bounded).as("the shipped bounds, every change in KV").isPositive().isLessThanOrEqualTo(75);
		assertThat(out).contains("With the bounds: %d KV writes and deletes instead of %d (%.2f× fewer), 0 breaches\n"
			.formatted(bounded, everyRun, (double) everyRun / bounded));
		Map<String, String[]> rules = new LinkedHashMap<>();
		Matcher rule = CADENCE_RULE.matcher(out);
		while (rule.find()) {
			rules.put(rule.group(1), new String[] { rule.group(2), rule.group(3), rule.group(4), rule.group(6) });
		}
		assertThat(rules).containsOnlyKeys("mobile-mapping", "sync-hash", "webhook-delivery", "metrics", "counter",
				"direct");
		assertThat(rules.values().stream().mapToLong((figures) -> Long.parseLong(figures[1])).sum())
			.isEqualTo(everyRun);
		assertThat(rules.values().stream().mapToLong((figures) -> Long.parseLong(figures[2])).sum()).isEqualTo(bounded);
		assertThat(rules.get("direct")).as("one write per album, each at the next run")
			.containsExactly("every run", "20", "20", "1s");
		assertThat(rules.get("counter")).as("the counter once")
			.containsExactly("within 1d", "20", "1", rules.get("counter")[3]);
		assertThat(seconds(rules.get("mobile-mapping")[3])).isPositive().isLessThanOrEqualTo(6 * 3600);
		assertThat(seconds(rules.get("sync-hash")[3])).isPositive().isLessThanOrEqualTo(6 * 3600);
		assertThat(seconds(rules.get("webhook-delivery")[3])).isPositive().isLessThanOrEqualTo(24 * 3600);
		assertThat(seconds(rules.get("counter")[3])).isPositive().isLessThanOrEqualTo(24 * 3600);
	}

	/**
	 * {@code 42s}, {@code 5m 10s} or {@code 5h 55m}, in seconds (to the minute for
	 * hours).
	 */
	private static long seconds(String age) {
		Matcher parts = Pattern.compile("(?:(\\d+)h )?(?:(\\d+)m)? ?(?:(\\d+)s)?").matcher(age);
		assertThat(parts.matches()).as(age).isTrue();
		return 3600 * number(parts.group(1)) + 60 * number(parts.group(2)) + number(parts.group(3));
	}

	private static long number(String digits) {
		return (digits != null) ? Long.parseLong(digits) : 0;
	}

}
