package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input that a rule cannot hold never blocks the pipeline: it is refused or parked line
 * by line, with its file, line, field and reason, and everything else flows on.
 */
class PoisonInputIntegrationTests {

	private static final String HOUR = "1795428000000";

	private static final String NOW = "--test.now=2026-11-23T10:30:00Z";

	private static final String LATER = "--test.now=2026-11-23T10:45:00Z";

	@TempDir
	Path tmp;

	@Test
	void stageRefusesEachMetricOutsideADoublesRangeOnItsLineAndKeepsTheOthers() throws IOException {
		Path data = this.tmp.resolve("data");
		Path input = Files.writeString(this.tmp.resolve("metrics.jsonl"), """
				{"op":"put","key":"metrics:sync_ms:%1$s:0001","value":1e400}
				{"op":"put","key":"metrics:sync_ms:%1$s:0002","value":1.8e308}
				{"op":"put","key":"metrics:sync_ms:%1$s:0003","value":{"value":1e400}}
				{"op":"put","key":"metrics:sync_ms:%1$s:0004","value":12}
				{"op":"put","key":"__counter","value":"99999999999999999999"}
				""".formatted(HOUR));

		CliRun.Result staged = new CliRun(data).run("stage", input.toString());

		assertThat(staged.exitCode()).as(staged.toString()).isZero();
		assertThat(staged.out()).contains("staged 1, rejected 4, duplicates 0");
		assertThat(staged.err().lines()).hasSize(4)
			.allSatisfy((line) -> assertThat(line).startsWith("rejected " + input + ":"))
			.anySatisfy((line) -> assertThat(line).startsWith("rejected " + input + ":1: field value: ")
				.contains("within a double's range, got 1E+400"))
			.anySatisfy((line) -> assertThat(line).startsWith("rejected " + input + ":2: field value: "))
			.anySatisfy((line) -> assertThat(line).startsWith("rejected " + input + ":3: field value: "))
			.anySatisfy((line) -> assertThat(line).startsWith("rejected " + input + ":5: field value: ")
				.contains("whole number from 0 to 9223372036854775807"));
	}

	@Test
	void droppedFileWithAMetricOutsideADoublesRangeFlowsOnEveryRun() throws IOException {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data, FixedClockConfiguration.class);
		Path spool = Files.createDirectories(data.resolve("spool"));
		Files.writeString(spool.resolve("producer.jsonl"), """
				{"op":"put","key":"metrics:sync_ms:%1$s:0001","value":1e400}
				{"op":"put","key":"metrics:sync_ms:%1$s:0002","value":40}
				{"op":"put","key":"x1","value":1,"seq":999999}
				{"op":"put","key":"x2","value":1,"stagedAt":"2000-01-01T00:00:00Z","ttl":3600}
				""".formatted(HOUR));

		CliRun.Result first = cli.run("run", "compress", NOW);
		CliRun.Result second = cli.run("run", "compress", LATER);

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).contains("ingest   read 4, written 1, rejected 3");
		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(spool.resolve("done/producer.jsonl")).exists();
		assertThat(cli.run("kv", "get", "metrics:hour:2026-11-23T10", NOW).out().trim())
			.isEqualTo("{\"sync_ms\":{\"count\":1,\"sum\":40,\"min\":40,\"max\":40}}");
		assertThat(cli.run("kv", "get", "__counter", NOW).exitCode()).as("no seq came from a producer").isNotZero();
		assertThat(TableRows.deadLetters(data)).satisfiesExactly(
				(letter) -> assertThat(letter).startsWith("producer.jsonl:1 value: ").contains("double's range"),
				(letter) -> assertThat(letter).startsWith("producer.jsonl:3 seq: is set by kvbatch"),
				(letter) -> assertThat(letter).startsWith("producer.jsonl:4 stagedAt: is set by kvbatch"));
	}

	@Test
	void metricThatWouldOverflowItsBucketIsParkedAndTheRestOfTheHourIsSent() throws IOException {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data, FixedClockConfiguration.class);
		String lines = """
				{"op":"put","key":"metrics:sync_ms:%1$s:000a","value":1.5e308}
				{"op":"put","key":"metrics:sync_ms:%1$s:000b","value":1.5e308}
				{"op":"put","key":"metrics:sync_ms:%1$s:000c","value":20}
				{"op":"put","key":"metrics:webhook_ms:%1$s:000d","value":7}
				""".formatted(HOUR);
		assertThat(cli.run("stage", Files.writeString(this.tmp.resolve("in.jsonl"), lines).toString(), NOW).out())
			.contains("staged 4, rejected 0");

		CliRun.Result run = cli.run("run", "compress", NOW);
		CliRun.Result again = cli.run("run", "compress", LATER);

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(1 sent, 0 deleted, 0 unchanged, 0 left dirty");
		assertThat(cli.run("kv", "get", "metrics:hour:2026-11-23T10", NOW).out().trim())
			.isEqualTo("{\"sync_ms\":{\"count\":2,\"sum\":1.5E308,\"min\":20,\"max\":1.5E308},"
					+ "\"webhook_ms\":{\"count\":1,\"sum\":7,\"min\":7,\"max\":7}}");
		assertThat(again.out()).contains("KV       0 writes");
		assertThat(TableRows.deadLetters(data)).singleElement()
			.asString()
			.startsWith("logical key metrics:sync_ms:" + HOUR + ":000b:0 value: parked: physical key "
					+ "\"metrics:hour:2026-11-23T10\" (rule metrics): the sum of \"sync_ms\" overflows a double");
		assertThat(TableRows.rows(data, "SELECT raw FROM kv_dead_letter")).singleElement()
			.isEqualTo("{\"op\":\"put\",\"key\":\"metrics:sync_ms:" + HOUR + ":000b\",\"value\":1.5E+308}");
	}

	@Test
	void fileThatCannotBeReadGoesToFailedWithADeadLetterAndTheNextFileIsIngested() throws IOException {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data);
		Path spool = Files.createDirectories(data.resolve("spool"));
		Files.createSymbolicLink(spool.resolve("a-broken.jsonl"), this.tmp.resolve("gone.jsonl"));
		Files.writeString(spool.resolve("b-good.jsonl"), "{\"op\":\"put\",\"key\":\"k\",\"value\":1}\n");

		CliRun.Result run = cli.run("run", "compress");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(spool.resolve("failed/a-broken.jsonl")).isSymbolicLink();
		assertThat(spool.resolve("done/b-good.jsonl")).exists();
		assertThat(cli.run("kv", "get", "k").out().trim()).isEqualTo("1");
		assertThat(TableRows.deadLetters(data)).singleElement()
			.asString()
			.startsWith("a-broken.jsonl:1 null: cannot be read (")
			.endsWith("moved to spool/failed");
	}

}
