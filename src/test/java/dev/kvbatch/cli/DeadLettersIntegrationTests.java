package dev.kvbatch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kvbatch dead-letters}: rejected records listed with file, line, field and
 * reason; staged again through the normal staging path once the rules are fixed; marked,
 * never deleted.
 */
class DeadLettersIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path tmp;

	@Test
	void listsRejectedRecordsAndStagesThemAgainOnceTheRulesAreFixed() throws IOException {
		Path jobs = Files.createDirectories(this.tmp.resolve("jobs"));
		Files.copy(Path.of("jobs/packing.yaml"), jobs.resolve("packing.yaml"));
		Path input = Files.writeString(this.tmp.resolve("in.jsonl"), """
				{"op":"put","key":"metrics:cpu:1700000000000:x","value":"high"}
				{"op":"put","key":"a1","value":1,"ttl":30}
				{"op":"put","key":"ok","value":1}
				""");
		assertThat(run("stage", input.toString()).code()).isZero();
		assertThat(run("run", "compress").code()).isZero();

		Result listed = run("dead-letters");
		Result json = run("dead-letters", "--json", "--source", "in.jsonl");

		assertThat(listed.code()).as(listed.toString()).isZero();
		assertThat(listed.out().lines().skip(1).map((line) -> line.replaceAll(" \\d{4}-\\S+ \\S+ ", " ")))
			.containsExactly(
					"1      " + input + ":1 value      open      a rollup value must be a number or an object with a"
							+ " numeric \"value\", got \"high\"",
					"2      " + input + ":2 ttl        open      must be at least 60 seconds, was 30");
		assertThat(listed.err()).startsWith("2 open: once the rules or the input are fixed,");
		List<JsonNode> letters = json.out().lines().map(JSON::readTree).toList();
		assertThat(letters).hasSize(2);
		assertThat(letters.get(1).get("field").asString()).isEqualTo("ttl");
		assertThat(letters.get(1).get("line").asLong()).isEqualTo(2);
		assertThat(letters.get(1).get("raw").asString())
			.isEqualTo("{\"op\":\"put\",\"key\":\"a1\",\"value\":1,\"ttl\":30}");
		assertThat(letters.get(1).get("status").asString()).isEqualTo("open");
		assertThat(run("report", "--date", "today").out()).contains("2 open: kvbatch dead-letters --open lists them");

		// The operator drops the metrics rule: the metric becomes a key of its own.
		String rules = Files.readString(jobs.resolve("packing.yaml"));
		Files.writeString(jobs.resolve("packing.yaml"), rules.replaceAll("(?m)^  - name: metrics\\n(    .*\\n)+", ""));
		Result restage = run("dead-letters", "restage", "--all");
		Result compress = run("run", "compress");

		assertThat(restage.code()).as(restage.toString()).isZero();
		assertThat(restage.out()).contains(
				"dead letter 1 (" + input + ":1): accepted\n", "dead letter 2 (" + input
						+ ":2): rejected again: dead-letter-2:1: field ttl: must be at least 60" + " seconds, was 30\n",
				"1 accepted, 1 rejected again");
		assertThat(compress.code()).as(compress.toString()).isZero();
		assertThat(run("kv", "get", "metrics:cpu:1700000000000:x").out()).isEqualTo("\"high\"\n");
		assertThat(TableRows.rows(data(),
				"SELECT id, source, restaged_to IS NOT NULL, resolution FROM kv_dead_letter" + " ORDER BY id"))
			.containsExactly("1 | " + input + " | TRUE | accepted", "2 | " + input
					+ " | TRUE | rejected again: dead-letter-2:1: field ttl: must be at least 60 seconds," + " was 30",
					"3 | dead-letter-2 | FALSE | null");
		assertThat(spoolLines()).as("the line staged again, with an idempotency id against a second restage")
			.anySatisfy((line) -> assertThat(line).contains("\"key\":\"metrics:cpu:1700000000000:x\"",
					"\"id\":\"dead-letter-1\""));

		Result again = run("dead-letters", "restage", "--id", "1");
		Result resolve = run("dead-letters", "resolve", "--id", "3", "--note", "the producer sends ttl 3600 now");
		Result open = run("dead-letters", "--open");

		assertThat(again.code()).isEqualTo(ExitCodes.USAGE);
		assertThat(again.err()).startsWith("kvbatch: dead letter 1 was staged again already, into stage-");
		assertThat(resolve.out()).isEqualTo("resolved 1 dead letter\n");
		assertThat(open.out().lines()).as("only the header").hasSize(1);
		assertThat(TableRows.count(data(), "kv_dead_letter")).as("nothing is deleted").isEqualTo(3);
		assertThat(run("dead-letters", "restage", "--all").out()).isEqualTo("no open dead letters\n");
	}

	@Test
	void refusesToStageAgainWhatIsNotAStagingLine() throws IOException {
		Files.createDirectories(this.tmp.resolve("jobs"));
		assertThat(run("run", "compress").code()).isZero();
		try (var connection = TableRows.connect(data())) {
			connection.createStatement()
				.execute("INSERT INTO kv_dead_letter (source, line, field, reason, raw, created_at)"
						+ " VALUES ('migrate', 0, 'value', 'legacy key \"k\": not JSON', 'x', 0)");
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}

		Result restage = run("dead-letters", "restage", "--id", "1");
		Result all = run("dead-letters", "restage", "--all");

		assertThat(restage.code()).isEqualTo(ExitCodes.USAGE);
		assertThat(restage.err()).isEqualTo("kvbatch: dead letter 1 is a legacy key migrate could not load: fix the"
				+ " key in KV, then run kvbatch run migrate again\n");
		assertThat(all.code()).isZero();
		assertThat(all.out()).startsWith("left 1 open letters that cannot be staged again");
	}

	private List<String> spoolLines() throws IOException {
		List<String> lines = new ArrayList<>();
		try (Stream<Path> files = Files.list(data().resolve("spool/done"))) {
			for (Path file : files.toList()) {
				lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
			}
		}
		return lines;
	}

	private Path data() {
		return this.tmp.resolve("data");
	}

	private Result run(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--kvbatch.data-dir=" + data());
		all.add("--kvbatch.jobs-dir=" + this.tmp.resolve("jobs"));
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int code = new Cli().output(new PrintWriter(out, true), new PrintWriter(err, true))
			.run(all.toArray(String[]::new));
		return new Result(code, out.toString(), err.toString());
	}

	private record Result(int code, String out, String err) {

		@Override
		public String toString() {
			return "exit " + this.code + "\n--- stdout\n" + this.out + "--- stderr\n" + this.err;
		}

	}

}
