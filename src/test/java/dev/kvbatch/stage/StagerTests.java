package dev.kvbatch.stage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class StagerTests {

	private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	@TempDir
	Path dir;

	private Path spool;

	private SeqAllocator seq;

	private Stager stager;

	private final List<String> keys = new ArrayList<>();

	private final List<String> rejections = new ArrayList<>();

	@BeforeEach
	void setUp() {
		Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
		this.spool = this.dir.resolve("spool");
		this.seq = new SeqAllocator(this.dir.resolve("seq"));
		this.stager = new Stager(new RecordValidator(MAPPER, KeyPolicy.NONE),
				new SpoolWriter(this.spool, MAPPER, clock), clock,
				new FileIdempotencyIndex(this.dir.resolve("ids"), this.spool, clock), this.seq, MAPPER);
	}

	@Test
	void stagesGoodAndBadLinesOfAllSourcesIntoOneSpoolFile() throws IOException {
		Stager.Source file = source("albums.jsonl",
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"title\":\"Album\"},\"kind\":\"upload\"}\n" + "\n"
						+ "{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"ttl\":30}\n"
						+ "{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"title\":\"Other\"},\"kind\":\"upload\"}\n");
		Stager.Source stdin = source("-",
				"{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:task42\",\"value\":{\"thingsId\":\"T-9\"},\"ttl\":7776000}\r\n"
						+ "not json\r\n" + "{\"op\":\"delete\",\"key\":\"mobile-mapping:dev1:task41\",\"id\":\"d-1\"}");
		StageSummary summary = stage(file, stdin);
		assertThat(summary.accepted()).isEqualTo(4);
		assertThat(summary.rejected()).isEqualTo(2);
		assertThat(summary.duplicates()).isZero();
		assertThat(this.keys).containsExactly("a{seq} -> a01", "a{seq} -> a02");
		assertThat(this.rejections).containsExactly("albums.jsonl:3: field ttl: must be at least 60 seconds, was 30",
				"-:2: is not valid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or"
						+ " token 'null', 'true' or 'false') (column 1)");
		assertThat(spoolFiles()).containsExactly(summary.spoolFile());
		assertThat(SpoolFormat.kind(summary.spoolFile())).isEqualTo(SpoolFormat.Kind.KVBATCH);
		assertThat(lines(summary.spoolFile())).containsExactly(json(
				"{\"op\":\"put\",\"key\":\"a01\",\"seq\":1,\"value\":{\"title\":\"Album\"},\"at\":\"2025-01-01T00:00:00Z\","
						+ "\"kind\":\"upload\",\"stagedAt\":\"2025-01-01T00:00:00Z\"}"),
				json("{\"deadLetter\":{\"source\":\"albums.jsonl\",\"line\":3,\"field\":\"ttl\",\"reason\":\"must be at"
						+ " least 60 seconds, was 30\",\"raw\":\"{\\\"op\\\":\\\"put\\\",\\\"key\\\":\\\"k\\\",\\\"value\\\":1,"
						+ "\\\"ttl\\\":30}\"}}"),
				json("{\"op\":\"put\",\"key\":\"a02\",\"seq\":2,\"value\":{\"title\":\"Other\"},\"at\":\"2025-01-01T00:00:00Z\","
						+ "\"kind\":\"upload\",\"stagedAt\":\"2025-01-01T00:00:00Z\"}"),
				json("{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:task42\",\"value\":{\"thingsId\":\"T-9\"},"
						+ "\"expiration\":" + (NOW.getEpochSecond() + 7776000)
						+ ",\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"change\",\"stagedAt\":\"2025-01-01T00:00:00Z\"}"),
				json("{\"deadLetter\":{\"source\":\"-\",\"line\":2,\"field\":null,\"reason\":\"is not valid JSON: Unrecognized"
						+ " token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or"
						+ " 'false') (column 1)\",\"raw\":\"not json\"}}"),
				json("{\"op\":\"delete\",\"key\":\"mobile-mapping:dev1:task41\",\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"d-1\","
						+ "\"kind\":\"change\",\"stagedAt\":\"2025-01-01T00:00:00Z\"}"));
		assertThat(this.seq.current()).isEqualTo(2);
		assertThat(scratchFiles()).isEmpty();
	}

	@Test
	void retryOfAStagedRecordGetsTheKeyItGotTheFirstTimeAndStagesNothing() throws IOException {
		String albums = albums(3);
		StageSummary first = stage(source("albums.jsonl", albums));
		assertThat(this.keys).containsExactly("a{seq} -> a01", "a{seq} -> a02", "a{seq} -> a03");
		this.keys.clear();

		StageSummary retry = stage(source("albums.jsonl", albums));

		assertThat(this.keys).containsExactly("a{seq} -> a01 (already staged)", "a{seq} -> a02 (already staged)",
				"a{seq} -> a03 (already staged)");
		assertThat(retry).isEqualTo(new StageSummary(0, 0, 3, null));
		assertThat(spoolFiles()).containsExactly(first.spoolFile());
		assertThat(this.seq.current()).as("no value is spent on a retry").isEqualTo(3);
		assertThat(this.rejections).isEmpty();
	}

	@Test
	void retryAmongNewRecordsStagesOnlyTheNewOnesAndNumbersThemOnWithoutAGap() throws IOException {
		stage(source("first", albums(2)));
		this.keys.clear();

		StageSummary second = stage(source("second",
				album(2) + "\n" + "{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"title\":\"New\"},\"id\":\"up-9\"}\n"
						+ "{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:t1\",\"value\":1,\"id\":\"m-1\"}\n"
						+ album(1)));

		assertThat(this.keys).containsExactly("a{seq} -> a02 (already staged)", "a{seq} -> a03",
				"a{seq} -> a01 (already staged)");
		assertThat(second.accepted()).isEqualTo(2);
		assertThat(second.duplicates()).isEqualTo(2);
		assertThat(records(second.spoolFile())).extracting((record) -> record.get("key").asString())
			.containsExactly("a03", "mobile-mapping:dev1:t1");
		assertThat(this.seq.current()).isEqualTo(3);
	}

	@Test
	void repeatOfAnIdWithinOneRunIsARetryToo() throws IOException {
		StageSummary summary = stage(source("in", album(1) + "\n" + album(1) + "\n" + album(2)));
		assertThat(this.keys).containsExactly("a{seq} -> a01", "a{seq} -> a01 (already staged)", "a{seq} -> a02");
		assertThat(summary.accepted()).isEqualTo(2);
		assertThat(summary.duplicates()).isEqualTo(1);
		assertThat(records(summary.spoolFile())).hasSize(2);
	}

	@Test
	void sameIdWithAnotherRecordIsRefusedOnItsLineAndCostsNoValue() throws IOException {
		stage(source("first", album(1)));
		this.keys.clear();
		String changed = album(1).replace("Album 1", "Album one");

		StageSummary summary = stage(source("second", changed + "\n" + album(2)));

		assertThat(this.rejections).containsExactly("second:1: field id: already staged with a different record; a "
				+ "retry must repeat the record exactly, a new record needs a new id");
		assertThat(this.keys).containsExactly("a{seq} -> a02");
		assertThat(summary.accepted()).isEqualTo(1);
		assertThat(summary.rejected()).isEqualTo(1);
		List<JsonNode> lines = lines(summary.spoolFile());
		assertThat(lines).hasSize(2);
		assertThat(lines.get(1).get("deadLetter").get("field").asString()).isEqualTo("id");
		assertThat(lines.get(1).get("deadLetter").get("raw").asString()).contains("Album one");
		assertThat(this.seq.current()).isEqualTo(2);
	}

	@Test
	void keyTooLongOnceSeqIsReplacedIsRefusedAndItsValueGoesToTheNextRecord() throws IOException {
		Files.writeString(this.dir.resolve("seq"), "99999999\n");
		StageSummary summary = stage(source("in", "{\"op\":\"put\",\"key\":\"" + "x".repeat(505)
				+ "{seq}\",\"value\":1}\n" + "{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1}"));
		assertThat(this.rejections)
			.containsExactly("in:1: field key: is 514 bytes after {seq} became 100000000, over KV's 512-byte limit");
		assertThat(this.keys).containsExactly("a{seq} -> a100000000");
		assertThat(summary.accepted()).isEqualTo(1);
		assertThat(this.seq.current()).isEqualTo(100000000);
	}

	@Test
	void linesWithoutSeqOrIdAreWrittenOnceAndNeedNoLock() throws IOException {
		StageSummary summary = stage(source("in", "{\"op\":\"delete\",\"key\":\"k\"}"));
		assertThat(summary.accepted()).isOne();
		assertThat(this.dir.resolve("ids")).doesNotExist();
		assertThat(this.dir.resolve("seq")).doesNotExist();
	}

	@Test
	void nothingReadCommitsNoFile() throws IOException {
		StageSummary summary = stage(source("empty", ""), source("-", "\n  \n"));
		assertThat(summary).isEqualTo(new StageSummary(0, 0, 0, null));
		assertThat(allFiles()).isEmpty();
	}

	@Test
	void onlyRejectedLinesStillCommitAFileOfDeadLetters() throws IOException {
		StageSummary summary = stage(source("in", "[]"));
		assertThat(summary.accepted()).isZero();
		assertThat(summary.rejected()).isEqualTo(1);
		assertThat(summary.spoolFile()).isNotNull();
		assertThat(Files.readAllLines(summary.spoolFile()).get(1))
			.startsWith("{\"deadLetter\":{\"source\":\"in\",\"line\":1,");
	}

	@Test
	void sourceThatCannotBeReadStagesNothing() throws IOException {
		InputStream failing = new InputStream() {

			private final InputStream start = new ByteArrayInputStream(
					"{\"op\":\"delete\",\"key\":\"k\"}\n{\"op\":".getBytes(StandardCharsets.UTF_8));

			@Override
			public int read() throws IOException {
				int b = this.start.read();
				if (b < 0) {
					throw new IOException("disk gone");
				}
				return b;
			}

		};
		assertThatIOException().isThrownBy(() -> stage(source("good", album(1)), new Stager.Source("bad", failing)))
			.withMessage("disk gone");
		assertThat(allFiles()).isEmpty();
		assertThat(stage(source("again", album(1))).accepted()).as("its ids were never staged").isOne();
	}

	private StageSummary stage(Stager.Source... sources) throws IOException {
		return this.stager.stage(List.of(sources), this.keys::add,
				(rejection) -> this.rejections.add(rejection.message()));
	}

	static String album(int n) {
		return "{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"title\":\"Album " + n + "\"},\"kind\":\"upload\","
				+ "\"id\":\"up-" + n + "\"}";
	}

	static String albums(int count) {
		StringBuilder lines = new StringBuilder();
		for (int n = 1; n <= count; n++) {
			lines.append(album(n)).append('\n');
		}
		return lines.toString();
	}

	private static Stager.Source source(String name, String content) {
		return new Stager.Source(name, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
	}

	private static JsonNode json(String text) {
		return MAPPER.readTree(text);
	}

	/** The lines of a spool file after its header, blank ones left out, as JSON. */
	private static List<JsonNode> lines(Path file) throws IOException {
		List<String> lines = Files.readAllLines(file);
		assertThat(SpoolFormat.owner(lines.get(0))).isPresent();
		return lines.stream().skip(1).filter((line) -> !line.isBlank()).map(StagerTests::json).toList();
	}

	private static List<JsonNode> records(Path file) throws IOException {
		return lines(file).stream().filter((line) -> !line.has("deadLetter")).toList();
	}

	private List<Path> spoolFiles() throws IOException {
		return new SpoolReader(this.spool).readyFiles();
	}

	private List<Path> scratchFiles() throws IOException {
		return allFiles().stream().filter((file) -> file.getFileName().toString().endsWith(".tmp")).toList();
	}

	private List<Path> allFiles() throws IOException {
		if (!Files.exists(this.spool)) {
			return List.of();
		}
		try (Stream<Path> files = Files.walk(this.spool)) {
			return files.filter(Files::isRegularFile).toList();
		}
	}

}
