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
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class StagerTests {

	private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

	@TempDir
	Path dir;

	private Path spool;

	private Stager stager;

	private final List<String> keys = new ArrayList<>();

	private final List<String> rejections = new ArrayList<>();

	@BeforeEach
	void setUp() {
		JsonMapper mapper = JsonMapper.builder().build();
		Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
		this.spool = this.dir.resolve("spool");
		RecordValidator validator = new RecordValidator(mapper, KeyPolicy.NONE,
				new SeqAllocator(this.dir.resolve("seq")));
		this.stager = new Stager(validator, new SpoolWriter(this.spool, mapper, clock), clock);
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
		StageSummary summary = this.stager.stage(List.of(file, stdin), this.keys::add,
				(rejection) -> this.rejections.add(rejection.message()));
		assertThat(summary.accepted()).isEqualTo(4);
		assertThat(summary.rejected()).isEqualTo(2);
		assertThat(this.keys).containsExactly("a{seq} -> a01", "a{seq} -> a02");
		assertThat(this.rejections).containsExactly("albums.jsonl:3: field ttl: must be at least 60 seconds, was 30",
				"-:2: is not valid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or"
						+ " token 'null', 'true' or 'false') (column 1)");
		assertThat(spoolFiles()).containsExactly(summary.spoolFile());
		assertThat(Files.readAllLines(summary.spoolFile())).containsExactly(
				"{\"op\":\"put\",\"key\":\"a01\",\"value\":{\"title\":\"Album\"},\"at\":\"2025-01-01T00:00:00Z\","
						+ "\"kind\":\"upload\",\"seq\":1,\"stagedAt\":\"2025-01-01T00:00:00Z\"}",
				"{\"deadLetter\":{\"source\":\"albums.jsonl\",\"line\":3,\"field\":\"ttl\",\"reason\":\"must be at least 60"
						+ " seconds, was 30\",\"raw\":\"{\\\"op\\\":\\\"put\\\",\\\"key\\\":\\\"k\\\",\\\"value\\\":1,"
						+ "\\\"ttl\\\":30}\"}}",
				"{\"op\":\"put\",\"key\":\"a02\",\"value\":{\"title\":\"Other\"},\"at\":\"2025-01-01T00:00:00Z\","
						+ "\"kind\":\"upload\",\"seq\":2,\"stagedAt\":\"2025-01-01T00:00:00Z\"}",
				"{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:task42\",\"value\":{\"thingsId\":\"T-9\"},\"expiration\":"
						+ (NOW.getEpochSecond() + 7776000)
						+ ",\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"change\",\"stagedAt\":\"2025-01-01T00:00:00Z\"}",
				"{\"deadLetter\":{\"source\":\"-\",\"line\":2,\"field\":null,\"reason\":\"is not valid JSON: Unrecognized"
						+ " token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or"
						+ " 'false') (column 1)\",\"raw\":\"not json\"}}",
				"{\"op\":\"delete\",\"key\":\"mobile-mapping:dev1:task41\",\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"d-1\","
						+ "\"kind\":\"change\",\"stagedAt\":\"2025-01-01T00:00:00Z\"}");
	}

	@Test
	void nothingReadCommitsNoFile() throws IOException {
		StageSummary summary = this.stager.stage(List.of(source("empty", ""), source("-", "\n  \n")), this.keys::add,
				(rejection) -> this.rejections.add(rejection.message()));
		assertThat(summary).isEqualTo(new StageSummary(0, 0, null));
		assertThat(allFiles()).isEmpty();
	}

	@Test
	void onlyRejectedLinesStillCommitAFileOfDeadLetters() throws IOException {
		StageSummary summary = this.stager.stage(List.of(source("in", "[]")), this.keys::add,
				(rejection) -> this.rejections.add(rejection.message()));
		assertThat(summary.accepted()).isZero();
		assertThat(summary.rejected()).isEqualTo(1);
		assertThat(summary.spoolFile()).isNotNull();
		assertThat(Files.readString(summary.spoolFile())).startsWith("{\"deadLetter\":{\"source\":\"in\",\"line\":1,");
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
		assertThatIOException().isThrownBy(() -> this.stager.stage(
				List.of(source("good", "{\"op\":\"delete\",\"key\":\"j\"}"), new Stager.Source("bad", failing)),
				this.keys::add, (rejection) -> {
				}))
			.withMessage("disk gone");
		assertThat(allFiles()).isEmpty();
	}

	private static Stager.Source source(String name, String content) {
		return new Stager.Source(name, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
	}

	private List<Path> spoolFiles() throws IOException {
		return new SpoolReader(this.spool).readyFiles();
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
