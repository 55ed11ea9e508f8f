package dev.kvbatch.stage;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stage runs in other JVMs, killed with {@code kill -9} between giving a record its key
 * and committing it, racing on the same ids, or reading a standard input that does not
 * end: every id is staged once, a retry gets the key the record got, and no run waits for
 * another's input.
 */
class StageCrashTests {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	@TempDir
	Path dir;

	@ParameterizedTest(name = "killed once {0}")
	@ValueSource(strings = { Stager.Checkpoint.RESOLVED, Stager.Checkpoint.PREPARED })
	void runKilledBeforeItsFileIsInPlaceIsStagedByItsRetryWithTheKeysItHeld(String point) throws Exception {
		Path input = input("albums.jsonl", uploads(1, 3));
		Process killed = start(point, input.toString());
		assertThat(waitFor(killed, "PAUSED " + point)).isTrue();
		killed.destroyForcibly().waitFor();
		assertThat(ids()).as("nothing of the killed run was committed").isEmpty();

		List<String> retry = stage(input);

		assertThat(retry).last().isEqualTo("staged 3, rejected 0, duplicates 0");
		Map<String, String> keys = keys(retry);
		assertThat(keys).hasSize(3).doesNotContainValue(null);
		assertThat(keys.get("u1-{seq}")).as("the record the killed run had resolved keeps its value")
			.isEqualTo("u1-01");
		if (point.equals(Stager.Checkpoint.PREPARED)) {
			assertThat(keys).containsEntry("u2-{seq}", "u2-02").containsEntry("u3-{seq}", "u3-03");
		}
		assertThat(ids()).containsExactlyInAnyOrder("u1", "u2", "u3");
		assertThat(leftoverInUse()).isEmpty();
	}

	@ParameterizedTest(name = "killed once {0}")
	@ValueSource(strings = { Stager.Checkpoint.RENAMED, Stager.Checkpoint.COMMITTED })
	void runKilledOnceItsFileIsInPlaceLeavesARetryNothingToStageButTheKeys(String point) throws Exception {
		Path input = input("albums.jsonl", uploads(1, 3));
		Process killed = start(point, input.toString());
		assertThat(waitFor(killed, "PAUSED " + point)).isTrue();
		killed.destroyForcibly().waitFor();

		List<String> retry = stage(input);

		assertThat(retry).containsExactly("u1-{seq} -> u1-01 (already staged)", "u2-{seq} -> u2-02 (already staged)",
				"u3-{seq} -> u3-03 (already staged)", "staged 0, rejected 0, duplicates 3");
		assertThat(ids()).containsExactlyInAnyOrder("u1", "u2", "u3");
		assertThat(new SeqAllocator(this.dir.resolve("data/seq")).current()).isEqualTo(3);
	}

	@Test
	void twoRunsRacingWithTheSameIdsStageEachOnceAndPrintTheSameKeys() throws Exception {
		Path first = input("first.jsonl", uploads(1, 60));
		Path second = input("second.jsonl", uploads(31, 90));
		Process a = start("none", first.toString());
		Process b = start("none", second.toString());
		List<String> outA = output(a);
		List<String> outB = output(b);

		Map<String, String> keysA = keys(outA);
		Map<String, String> keysB = keys(outB);
		for (int n = 31; n <= 60; n++) {
			assertThat(keysB.get("u" + n + "-{seq}")).as("u" + n).isEqualTo(keysA.get("u" + n + "-{seq}"));
		}
		long retries = Stream.concat(outA.stream(), outB.stream())
			.filter((line) -> line.endsWith("(already staged)"))
			.count();
		assertThat(retries).isEqualTo(30);
		assertThat(ids()).hasSize(90).doesNotHaveDuplicates();
		assertThat(stagedKeys()).hasSize(90).doesNotHaveDuplicates();
		assertThat(new SeqAllocator(this.dir.resolve("data/seq")).current()).as("no value spent on a retry")
			.isEqualTo(90);
	}

	@Test
	void runReadingAStdinThatDoesNotEndHoldsUpNoOtherRun() throws Exception {
		Process slow = start("none", "-");
		OutputStream stdin = slow.getOutputStream();
		stdin.write(("not json\n" + upload(1) + "\n").getBytes(StandardCharsets.UTF_8));
		stdin.flush();
		BufferedReader slowOut = new BufferedReader(
				new InputStreamReader(slow.getInputStream(), StandardCharsets.UTF_8));
		assertThat(slowOut.readLine()).as("the slow run is reading its input").startsWith("rejected -:1:");

		List<String> other = stage(input("other.jsonl", upload(1) + "\n" + upload(2)));

		assertThat(other).containsExactly("u1-{seq} -> u1-01", "u2-{seq} -> u2-02",
				"staged 2, rejected 0, duplicates 0");
		stdin.close();
		List<String> rest = slowOut.lines().toList();
		assertThat(slow.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(slow.exitValue()).as(String.join("\n", rest)).isZero();
		assertThat(rest).containsExactly("u1-{seq} -> u1-01 (already staged)", "staged 0, rejected 1, duplicates 1");
		assertThat(ids()).containsExactlyInAnyOrder("u1", "u2");
	}

	private static String upload(int n) {
		return "{\"op\":\"put\",\"key\":\"u" + n + "-{seq}\",\"value\":{\"title\":\"Album " + n
				+ "\"},\"kind\":\"upload\",\"id\":\"u" + n + "\"}";
	}

	private static String uploads(int from, int to) {
		StringBuilder lines = new StringBuilder();
		for (int n = from; n <= to; n++) {
			lines.append(upload(n)).append('\n');
		}
		return lines.toString();
	}

	private Path input(String name, String content) throws IOException {
		return Files.writeString(this.dir.resolve(name), content);
	}

	private Process start(String pauseAt, String input) throws IOException {
		return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), StageChild.class.getName(), this.dir.resolve("data").toString(),
				pauseAt, input)
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
	}

	/** Reads the child's output until a line; false if it ended first. */
	private static boolean waitFor(Process child, String line) throws IOException {
		BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
		for (String read = out.readLine(); read != null; read = out.readLine()) {
			if (read.equals(line)) {
				return true;
			}
		}
		return false;
	}

	private static List<String> output(Process child) throws Exception {
		List<String> lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))
			.lines()
			.toList();
		assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).as(String.join("\n", lines)).isZero();
		return lines;
	}

	/** A stage run in this JVM, on the same data folder. */
	private List<String> stage(Path input) throws IOException {
		Path data = this.dir.resolve("data");
		Clock clock = Clock.systemUTC();
		Path spool = data.resolve("spool");
		Stager stager = new Stager(new RecordValidator(MAPPER, KeyPolicy.NONE), new SpoolWriter(spool, MAPPER, clock),
				clock, new FileIdempotencyIndex(data.resolve("ids"), spool, clock),
				new SeqAllocator(data.resolve("seq")), MAPPER);
		List<String> out = new ArrayList<>();
		StageSummary summary = stager.stage(
				List.of(new Stager.Source(input.getFileName().toString(),
						new ByteArrayInputStream(Files.readAllBytes(input)))),
				out::add, (rejection) -> out.add("rejected " + rejection.message()));
		out.add("staged %d, rejected %d, duplicates %d".formatted(summary.accepted(), summary.rejected(),
				summary.duplicates()));
		return out;
	}

	/** Template to key, from {@code a{seq} -> a07} lines. */
	private static Map<String, String> keys(List<String> lines) {
		Map<String, String> keys = new HashMap<>();
		for (String line : lines) {
			String[] parts = line.replace(" (already staged)", "").split(" -> ");
			if (parts.length == 2) {
				keys.put(parts[0], parts[1]);
			}
		}
		return keys;
	}

	/** The ids of every record in the committed spool files. */
	private List<String> ids() throws IOException {
		return records().stream()
			.filter((record) -> record.has("id"))
			.map((record) -> record.get("id").asString())
			.toList();
	}

	private List<String> stagedKeys() throws IOException {
		return records().stream().map((record) -> record.get("key").asString()).toList();
	}

	private List<JsonNode> records() throws IOException {
		List<JsonNode> records = new ArrayList<>();
		for (Path file : new SpoolReader(this.dir.resolve("data/spool")).readyFiles()) {
			for (String line : Files.readAllLines(file)) {
				if (!line.isBlank() && SpoolFormat.owner(line).isEmpty()) {
					records.add(MAPPER.readTree(line));
				}
			}
		}
		return records;
	}

	/** {@code .tmp} files of the spool folder that a live run still holds. */
	private List<Path> leftoverInUse() throws IOException {
		try (Stream<Path> files = Files.list(this.dir.resolve("data/spool"))) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".tmp"))
				.filter(SpoolWriter::inUse)
				.collect(Collectors.toList());
		}
	}

}
