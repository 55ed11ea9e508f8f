package dev.kvbatch.stage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class SpoolReaderTests {

	private static final Instant STAGED = Instant.parse("2025-01-01T00:00:00Z");

	private static final Instant INGESTED = Instant.parse("2025-03-01T00:00:00Z");

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	@TempDir
	Path dir;

	private Path spool;

	private SpoolReader reader;

	private RecordValidator validator;

	@BeforeEach
	void setUp() {
		this.spool = this.dir.resolve("spool");
		this.reader = new SpoolReader(this.spool);
		this.validator = new RecordValidator(MAPPER, KeyPolicy.NONE);
	}

	@Test
	void spoolFileReadBackGivesEqualRecordsAndRejections() throws IOException {
		List<Object> written = List.of(
				new StagedRecord(Op.PUT, "a12", "{\"title\":\"Album\",\"n\":1.50,\"s\":\"é\\n\"}", 1767225600L,
						Instant.parse("2024-12-31T23:00:00.123456789Z"), "evt-1", Kind.UPLOAD, 12L,
						STAGED.plusNanos(1)),
				new StagedRecord(Op.PUT, "k", "null", null, STAGED, null, Kind.CHANGE, null, STAGED),
				new StagedRecord(Op.DELETE, "k", null, null, Instant.ofEpochMilli(5), "42", Kind.CHANGE, null, STAGED),
				new Rejection("in.jsonl", 3, "ttl", "must be at least 60 seconds, was 30", "{\"ttl\":30}"),
				new Rejection("-", 9, null, "is not valid UTF-8: ...", "{\"k\":\"\uFFFD\"}"));
		Path file = write(written);
		assertThat(SpoolFormat.kind(file)).isEqualTo(SpoolFormat.Kind.KVBATCH);
		List<Object> read = new ArrayList<>();
		this.reader.forEachLine(file, 0, (line) -> {
			SpoolLine parsed = this.reader.parse(file.getFileName().toString(), line, this.validator, INGESTED,
					SpoolFormat.Kind.KVBATCH);
			if (parsed instanceof LineResult.Accepted accepted) {
				assertThat(accepted.unresolved()).isFalse();
				read.add(accepted.record());
			}
			else if (parsed instanceof SpoolLine.DeadLetter deadLetter) {
				read.add(deadLetter.rejection());
			}
			else {
				assertThat(line.number()).as("only the header is blank").isOne();
				assertThat(parsed).isEqualTo(LineResult.BLANK);
			}
		});
		assertThat(read).isEqualTo(written);
	}

	@Test
	void validatedLinesSurviveTheSpoolUnchangedAtALaterIngest() throws IOException {
		String[] input = { "{\"op\":\"put\",\"key\":\"a07\",\"value\":{\"t\":\"x\"},\"ttl\":3600,\"kind\":\"upload\"}",
				"{\"op\":\"put\",\"key\":\"m\",\"value\":[1.0],\"expiration\":" + (STAGED.getEpochSecond() + 60)
						+ ",\"at\":1700000000000,\"id\":7}",
				"{\"op\":\"delete\",\"key\":\"m\",\"at\":\"2024-05-01T14:00:00+02:00\"}" };
		List<Object> staged = new ArrayList<>();
		for (int i = 0; i < input.length; i++) {
			staged.add(((LineResult.Accepted) this.validator.validate("in", i + 1, input[i], STAGED)).record());
		}
		Path file = write(staged);
		List<Object> ingested = new ArrayList<>();
		this.reader.forEachLine(file, 1, (line) -> ingested.add(((LineResult.Accepted) this.reader.parse("spool", line,
				this.validator, INGESTED, SpoolFormat.Kind.KVBATCH))
			.record()));
		assertThat(ingested).isEqualTo(staged);
	}

	@Test
	void kindOfAFileComesFromItsHeaderElseFromTheNameEarlierVersionsGaveTheirFiles() throws IOException {
		Files.createDirectories(this.spool);
		Path own = write(
				List.of(new StagedRecord(Op.DELETE, "k", null, null, STAGED, null, Kind.CHANGE, null, STAGED)));
		Path legacy = Files.writeString(this.spool.resolve("stage-1735689600000-0a1b2c3d.jsonl"),
				"{\"op\":\"delete\",\"key\":\"k\",\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"change\",\"seq\":3,"
						+ "\"stagedAt\":\"2025-01-01T00:00:00Z\"}\n");
		Path producer = Files.writeString(this.spool.resolve("hour-03.jsonl"), "{\"op\":\"delete\",\"key\":\"k\"}\n");
		Path lookalike = Files.writeString(this.spool.resolve("stage-1-a.jsonl"),
				"{\"kvbatchSpool\":2,\"owner\":\"xyz\"}\n");
		assertThat(SpoolFormat.kind(own)).isEqualTo(SpoolFormat.Kind.KVBATCH);
		assertThat(SpoolFormat.owner(own)).isPresent();
		assertThat(SpoolFormat.kind(legacy)).isEqualTo(SpoolFormat.Kind.LEGACY);
		assertThat(SpoolFormat.kind(producer)).isEqualTo(SpoolFormat.Kind.PRODUCER);
		assertThat(SpoolFormat.kind(lookalike)).isEqualTo(SpoolFormat.Kind.PRODUCER);
		assertThat(SpoolFormat.owner(this.spool.resolve("missing.jsonl"))).isEmpty();
	}

	@Test
	void kvbatchsOwnFieldsAreTakenOnlyFromItsOwnFiles() {
		String line = "{\"op\":\"put\",\"key\":\"x1\",\"value\":1,\"seq\":999999}";
		assertThat(this.reader.parse("hour-03.jsonl", 1, line, this.validator, INGESTED, SpoolFormat.Kind.PRODUCER))
			.isInstanceOf(LineResult.Rejected.class);
		assertThat(((LineResult.Accepted) this.reader.parse("stage-1.jsonl", 2, line, this.validator, INGESTED,
				SpoolFormat.Kind.KVBATCH))
			.record()
			.seq()).isEqualTo(999999L);
		String deadLetter = "{\"deadLetter\":{\"source\":\"in\",\"line\":5,\"reason\":\"r\",\"raw\":\"x\"}}";
		assertThat(this.reader.parse("hour-03.jsonl", 1, deadLetter, this.validator, INGESTED))
			.isEqualTo(new LineResult.Rejected(new Rejection("hour-03.jsonl", 1, "deadLetter",
					"is set by kvbatch in its own spool files, never by producers; leave it out", deadLetter)));
	}

	@Test
	void spoolLineThatBreaksARuleIsRejectedWithTheSpoolFileAndLine() throws IOException {
		SpoolLine parsed = this.reader.parse("stage-1-a.jsonl", 4, "{\"op\":\"put\",\"key\":\"k\"}", this.validator,
				INGESTED);
		assertThat(parsed).isEqualTo(new LineResult.Rejected(new Rejection("stage-1-a.jsonl", 4, "value",
				"is required for \"put\" (any JSON, for example {} or \"text\")", "{\"op\":\"put\",\"key\":\"k\"}")));
	}

	@Test
	void malformedDeadLetterIsRejected() {
		String text = "{\"deadLetter\":{\"source\":\"in\",\"line\":\"x\",\"reason\":\"r\",\"raw\":\"\"}}";
		SpoolLine parsed = this.reader.parse("spool", 2, text, this.validator, INGESTED, SpoolFormat.Kind.KVBATCH);
		assertThat(parsed).isInstanceOf(LineResult.Rejected.class);
		Rejection rejection = ((LineResult.Rejected) parsed).rejection();
		assertThat(rejection.source()).isEqualTo("spool");
		assertThat(rejection.line()).isEqualTo(2);
		assertThat(rejection.field()).isEqualTo("deadLetter");
		assertThat(rejection.raw()).isEqualTo(text);
	}

	@Test
	void deadLetterWithSpacesAndWithoutFieldIsRead() {
		SpoolLine parsed = this.reader.parse("spool", 2,
				" { \"deadLetter\" : {\"source\":\"in\",\"line\":5,\"reason\":\"r\",\"raw\":\"x\"}}", this.validator,
				INGESTED, SpoolFormat.Kind.LEGACY);
		assertThat(parsed).isEqualTo(new SpoolLine.DeadLetter(new Rejection("in", 5, null, "r", "x")));
	}

	@Test
	void readingResumesAfterSkippedLinesAndBadUtf8LinesBecomeRejections() throws IOException {
		Path file = this.spool.resolve("stage-1-a.jsonl");
		Files.createDirectories(this.spool);
		byte[] bad = { '{', '"', (byte) 0xC3, '"', '}', '\n' };
		try (var out = Files.newOutputStream(file)) {
			out.write("{\"op\":\"delete\",\"key\":\"one\"}\n{\"op\":\"delete\",\"key\":\"two\"}\n".getBytes());
			out.write(bad);
			out.write("\n{\"op\":\"delete\",\"key\":\"four\"}".getBytes(StandardCharsets.UTF_8));
		}
		List<String> seen = new ArrayList<>();
		this.reader.forEachLine(file, 2, (line) -> {
			SpoolLine parsed = this.reader.parse("stage-1-a.jsonl", line, this.validator, INGESTED);
			if (parsed instanceof LineResult.Accepted accepted) {
				seen.add(line.number() + " " + accepted.record().key());
			}
			else if (parsed instanceof LineResult.Rejected rejected) {
				seen.add(rejected.rejection().message());
			}
			else {
				seen.add(line.number() + " " + parsed);
			}
		});
		assertThat(seen).containsExactly(
				"stage-1-a.jsonl:3: is not valid UTF-8: byte 0xC3 at byte 3 of the line cannot start or continue a "
						+ "character; save the input as UTF-8",
				"4 Blank[]", "5 four");
	}

	@Test
	void readyFilesAreCommittedSpoolFilesDirectlyInTheFolderSortedByName() throws IOException {
		assertThat(this.reader.readyFiles()).isEmpty();
		Files.createDirectories(this.spool.resolve("done"));
		for (String name : List.of("stage-2-b.jsonl", "stage-1-z.jsonl", "stage-3-c.jsonl.tmp", "notes.txt",
				"done/stage-0-a.jsonl")) {
			Files.writeString(this.spool.resolve(name), "");
		}
		Files.createDirectories(this.spool.resolve("folder.jsonl"));
		Files.createSymbolicLink(this.spool.resolve("stage-4-link.jsonl"), this.dir.resolve("nowhere"));
		assertThat(this.reader.readyFiles()).as("a link that leads nowhere is taken, to fail with its reason")
			.containsExactly(this.spool.resolve("stage-1-z.jsonl"), this.spool.resolve("stage-2-b.jsonl"),
					this.spool.resolve("stage-4-link.jsonl"));
	}

	@Test
	void movingNeverOverwritesAFileOfTheSameName() throws IOException {
		Files.createDirectories(this.spool);
		Path file = this.spool.resolve("stage-1-a.jsonl");
		List<Path> moved = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			Files.writeString(file, "content " + i);
			moved.add(this.reader.moveToDone(file));
		}
		Path done = this.spool.resolve("done");
		assertThat(moved).containsExactly(done.resolve("stage-1-a.jsonl"), done.resolve("stage-1-a.1.jsonl"),
				done.resolve("stage-1-a.2.jsonl"));
		assertThat(moved).extracting(Files::readString).containsExactly("content 1", "content 2", "content 3");
		assertThat(file).doesNotExist();
		assertThat(this.reader.readyFiles()).isEmpty();
	}

	@Test
	void failedFilesGoToTheFailedFolder() throws IOException {
		Files.createDirectories(this.spool);
		Path file = Files.writeString(this.spool.resolve("stage-1-a.jsonl"), "x");
		assertThat(this.reader.moveToFailed(file)).isEqualTo(this.spool.resolve("failed/stage-1-a.jsonl"))
			.hasContent("x");
	}

	private Path write(List<Object> lines) throws IOException {
		SpoolWriter writer = new SpoolWriter(this.spool, MAPPER, Clock.fixed(STAGED, ZoneOffset.UTC));
		try (SpoolWriter.Batch batch = writer.open()) {
			for (Object line : lines) {
				if (line instanceof StagedRecord record) {
					batch.append(record);
				}
				else {
					batch.append((Rejection) line);
				}
			}
			return batch.commit();
		}
	}

}
