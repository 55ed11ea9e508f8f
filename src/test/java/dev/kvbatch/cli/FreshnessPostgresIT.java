package dev.kvbatch.cli;

import dev.kvbatch.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The freshness bounds' SQL on a real PostgreSQL server: the deadlines compress picks due
 * keys by, the ages it records, the breaches the budget makes (an INSERT without FROM)
 * and the report's p50 (PERCENTILE_DISC) and max staleness per rule give the same figures
 * as the same scenario on H2. Run by {@code ./mvnw -B verify -Ppostgres} against the
 * server that {@code KVBATCH_TEST_POSTGRES_URL} names, never skipped: without it the test
 * fails.
 */
class FreshnessPostgresIT {

	private static final String EVERY_5_MINUTES = "--kvbatch.compress.interval=5m";

	private static final String CAP = "--kvbatch.budget.writes-per-day=1";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path tmp;

	@Test
	void stalenessAndBreachesPerRuleOnPostgresEqualTheFiguresOnH2() throws Exception {
		String database = TestPostgres.freshDatabase();
		Scenario postgres = new Scenario(this.tmp.resolve("pg"), "--spring.datasource.url=" + database,
				"--spring.datasource.username=postgres");
		Scenario h2 = new Scenario(this.tmp.resolve("h2"));

		List<JsonNode> onPostgres = postgres.play();
		List<JsonNode> onH2 = h2.play();

		JsonNode firstDay = onPostgres.get(0);
		assertThat(rule(firstDay, "direct")).as("three albums sent 120 s, 300 s and 0 s after their staging")
			.isEqualTo(figures(3, 120L, 300L, 0));
		assertThat(rule(firstDay, "sync-hash")).as("the hash, at the last run before its 6 h")
			.isEqualTo(figures(1, 21_300L, 21_300L, 0));
		JsonNode secondDay = onPostgres.get(1);
		assertThat(rule(secondDay, "webhook-delivery")).as("the webhook batch, the earliest deadline, went first")
			.isEqualTo(figures(1, 18_300L, 18_300L, 0));
		assertThat(rule(secondDay, "mobile-mapping")).as("the mapping, held by the budget past its bound, twice")
			.isEqualTo(figures(0, null, null, 1));
		assertThat(onPostgres).as("the reports' staleness on PostgreSQL, against H2").isEqualTo(onH2);
		assertThat(postgres.cli.run(postgres.with("kv", "list", "--test.now=2026-12-03T00:10:00Z")).out())
			.as("nothing lost")
			.isEqualTo(h2.cli.run(h2.with("kv", "list", "--test.now=2026-12-03T00:10:00Z")).out())
			.contains("mobile-batch:dev1");

		CliRun.Result prune = postgres.cli.run(postgres.with("run", "prune", "--kvbatch.retention.ledger-daily=2d",
				"--test.now=2026-12-10T00:00:00Z"));

		assertThat(prune.exitCode()).as(prune.toString()).isZero();
		try (Connection connection = DriverManager.getConnection(database, "postgres", "");
				ResultSet rows = connection.createStatement()
					.executeQuery("SELECT (SELECT COUNT(*) FROM kv_write_age) + (SELECT COUNT(*) FROM kv_breach)")) {
			assertThat(rows.next()).isTrue();
			assertThat(rows.getLong(1)).as("ages and breaches, trimmed with the daily ledger").isZero();
		}
	}

	private static String rule(JsonNode staleness, String name) {
		for (JsonNode rule : staleness) {
			if (rule.path("rule").asString().equals(name)) {
				ObjectNode figures = (ObjectNode) rule.deepCopy();
				figures.remove(List.of("rule", "bound"));
				return figures.toString();
			}
		}
		throw new AssertionError("no rule " + name + " in " + staleness);
	}

	private static String figures(long writes, Long p50, Long max, long breaches) {
		return JSON.createObjectNode()
			.put("writes", writes)
			.put("p50Seconds", p50)
			.put("maxSeconds", max)
			.put("breaches", breaches)
			.toString();
	}

	/**
	 * Two days on one data folder and database: albums and a hash on the first; on the
	 * second, a budget of one write a day that has two keys due.
	 */
	private final class Scenario {

		final CliRun cli;

		private final String[] settings;

		private final Path dir;

		private int files;

		Scenario(Path dir, String... settings) {
			this.dir = dir;
			this.cli = new CliRun(dir.resolve("data"), FixedClockConfiguration.class);
			this.settings = settings;
		}

		/** The staleness of the first day's report and of the second day's. */
		List<JsonNode> play() throws IOException {
			stage("2026-12-01T10:00:00Z", "{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"n\":1},\"kind\":\"upload\"}",
					"{\"op\":\"put\",\"key\":\"hash:abc\",\"value\":1}");
			compress("2026-12-01T10:02:00Z");
			stage("2026-12-01T10:10:00Z",
					"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"n\":2},\"kind\":\"upload\"}");
			compress("2026-12-01T10:15:00Z");
			stage("2026-12-01T10:20:00Z",
					"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"n\":3},\"kind\":\"upload\"}");
			compress("2026-12-01T10:20:00Z");
			compress("2026-12-01T15:50:00Z");
			compress("2026-12-01T15:55:00Z");
			stage("2026-12-01T19:00:00Z", "{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:t1\",\"value\":1}");
			stage("2026-12-01T20:00:00Z",
					"{\"op\":\"put\",\"key\":\"webhook-delivery:w1\",\"value\":2,\"at\":\"2026-12-01T20:00:00Z\"}");
			compress("2026-12-01T20:00:00Z");
			compress("2026-12-02T01:05:00Z", CAP);
			compress("2026-12-02T01:10:00Z", CAP);
			compress("2026-12-03T00:00:00Z", "flush=all");
			List<JsonNode> staleness = new ArrayList<>();
			for (String day : new String[] { "2026-12-01", "2026-12-02" }) {
				CliRun.Result report = this.cli
					.run(with("report", "--date", day, "--format", "json", "--test.now=2026-12-03T00:05:00Z"));
				assertThat(report.exitCode()).as(report.toString()).isZero();
				staleness.add(JSON.readTree(report.out()).path("staleness"));
			}
			return staleness;
		}

		private void compress(String at, String... more) {
			List<String> args = new ArrayList<>(List.of("run", "compress"));
			args.addAll(List.of(more));
			args.add(EVERY_5_MINUTES);
			args.add("--test.now=" + at);
			CliRun.Result run = this.cli.run(with(args.toArray(String[]::new)));
			assertThat(run.exitCode()).as(run.toString()).isZero();
		}

		private void stage(String at, String... lines) throws IOException {
			Files.createDirectories(this.dir);
			Path file = Files.writeString(this.dir.resolve("in-" + (++this.files) + ".jsonl"),
					String.join("\n", lines));
			CliRun.Result staged = this.cli.run(with("stage", file.toString(), "--test.now=" + at));
			assertThat(staged.exitCode()).as(staged.toString()).isZero();
		}

		String[] with(String... args) {
			String[] all = new String[args.length + this.settings.length];
			System.arraycopy(args, 0, all, 0, args.length);
			System.arraycopy(this.settings, 0, all, args.length, this.settings.length);
			return all;
		}

	}

}
