package dev.kvbatch.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SpoolWriterTests {

	private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

	private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

	@TempDir
	Path dir;

	@Test
	void writesRecordsAndRejectionsAsOneJsonObjectPerLine() throws IOException {
		// Indentation on the app's mapper must not split records over lines.
		JsonMapper indenting = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		SpoolWriter writer = new SpoolWriter(this.dir.resolve("spool"), indenting, CLOCK);
		Path file;
		long owner;
		try (SpoolWriter.Batch batch = writer.open()) {
			batch.append(new StagedRecord(Op.PUT, "a12", "{\"title\":\"Album\",\"files\":[\"f1\"]}", 1767225600L,
					Instant.parse("2024-12-31T23:00:00.5Z"), "evt-1", Kind.UPLOAD, 12L, NOW));
			batch.append(new StagedRecord(Op.DELETE, "k", null, null, NOW, null, Kind.CHANGE, null, NOW));
			batch.append(new Rejection("in.jsonl", 3, "ttl", "must be at least 60 seconds, was 30", "{\"ttl\":30}"));
			batch.append(new Rejection("-", 4, null, "is not valid JSON", "{é"));
			assertThat(batch.lines()).isEqualTo(4);
			assertThat(batch.records()).isEqualTo(2);
			owner = batch.owner();
			file = batch.commit();
		}
		assertThat(Files.readAllLines(file)).containsExactly(SpoolFormat.header(owner),
				"{\"op\":\"put\",\"key\":\"a12\",\"seq\":12,\"value\":{\"title\":\"Album\",\"files\":[\"f1\"]},"
						+ "\"expiration\":1767225600,\"at\":\"2024-12-31T23:00:00.500Z\",\"id\":\"evt-1\",\"kind\":\"upload\","
						+ "\"stagedAt\":\"2025-01-01T00:00:00Z\"}",
				"{\"op\":\"delete\",\"key\":\"k\",\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"change\","
						+ "\"stagedAt\":\"2025-01-01T00:00:00Z\"}",
				"{\"deadLetter\":{\"source\":\"in.jsonl\",\"line\":3,\"field\":\"ttl\","
						+ "\"reason\":\"must be at least 60 seconds, was 30\",\"raw\":\"{\\\"ttl\\\":30}\"}}",
				"{\"deadLetter\":{\"source\":\"-\",\"line\":4,\"field\":null,\"reason\":\"is not valid JSON\",\"raw\":\"{é\"}}");
	}

	@Test
	void batchIsInvisibleUntilCommittedThenRenamedAtomically() throws IOException {
		Path spool = this.dir.resolve("spool");
		SpoolWriter writer = new SpoolWriter(spool, JsonMapper.builder().build(), CLOCK);
		try (SpoolWriter.Batch batch = writer.open()) {
			batch.append(new StagedRecord(Op.DELETE, "k", null, null, NOW, null, Kind.CHANGE, null, NOW));
			assertThat(batch.tmpFile().getFileName().toString())
				.matches("stage-" + NOW.toEpochMilli() + "-[0-9a-f]{8}\\.jsonl\\.tmp");
			assertThat(names(spool)).containsExactly(batch.tmpFile().getFileName().toString());
			assertThat(new SpoolReader(spool).readyFiles()).isEmpty();
			Path committed = batch.commit();
			assertThat(committed.getFileName().toString())
				.isEqualTo(batch.tmpFile().getFileName().toString().replace(".jsonl.tmp", ".jsonl"));
			assertThat(names(spool)).containsExactly(committed.getFileName().toString());
			assertThat(new SpoolReader(spool).readyFiles()).containsExactly(committed);
		}
	}

	@Test
	void closingWithoutCommitLeavesNothing() throws IOException {
		Path spool = this.dir.resolve("spool");
		SpoolWriter writer = new SpoolWriter(spool, JsonMapper.builder().build(), CLOCK);
		SpoolWriter.Batch batch = writer.open();
		batch.append(new Rejection("in", 1, null, "bad", "x"));
		batch.close();
		assertThat(names(spool)).isEmpty();
		assertThatIllegalStateException().isThrownBy(() -> batch.append(new Rejection("in", 2, null, "bad", "x")))
			.withMessageEndingWith("is already closed");
	}

	@Test
	void committedBatchTakesNoMoreLines() throws IOException {
		SpoolWriter writer = new SpoolWriter(this.dir, JsonMapper.builder().build(), CLOCK);
		try (SpoolWriter.Batch batch = writer.open()) {
			batch.commit();
			assertThatIllegalStateException().isThrownBy(batch::commit).withMessageEndingWith("is already committed");
		}
		assertThat(names(this.dir)).hasSize(1).allMatch((name) -> name.endsWith(".jsonl"));
	}

	@Test
	void twoBatchesInTheSameMillisecondGetDifferentFiles() throws IOException {
		SpoolWriter writer = new SpoolWriter(this.dir, JsonMapper.builder().build(), CLOCK);
		try (SpoolWriter.Batch first = writer.open(); SpoolWriter.Batch second = writer.open()) {
			assertThat(first.commit()).isNotEqualTo(second.commit());
		}
		assertThat(names(this.dir)).hasSize(2);
	}

	@Test
	void recordsThatTheValidatorCouldNotProduceAreRefused() throws IOException {
		SpoolWriter writer = new SpoolWriter(this.dir, JsonMapper.builder().build(), CLOCK);
		try (SpoolWriter.Batch batch = writer.open()) {
			assertThatIllegalArgumentException().isThrownBy(
					() -> batch.append(new StagedRecord(Op.DELETE, "k", "1", null, NOW, null, Kind.CHANGE, null, NOW)));
			assertThatIllegalArgumentException().isThrownBy(
					() -> batch.append(new StagedRecord(Op.PUT, "k", null, null, NOW, null, Kind.CHANGE, null, NOW)));
			assertThatIllegalArgumentException().isThrownBy(
					() -> batch.append(new StagedRecord(Op.PUT, "k", "{\n}", null, NOW, null, Kind.CHANGE, null, NOW)));
			assertThat(batch.lines()).isZero();
		}
	}

	@Test
	void deferredRecordGetsItsFinalKeyPatchedInOrIsBlankedOut() throws IOException {
		JsonMapper mapper = JsonMapper.builder().build();
		SpoolWriter writer = new SpoolWriter(this.dir, mapper, CLOCK);
		Path file;
		try (SpoolWriter.Batch batch = writer.open()) {
			SpoolWriter.Deferred album = batch.appendDeferred(
					new StagedRecord(Op.PUT, "al\"b{seq}/{seq}", "{\"t\":1}", null, NOW, "u1", Kind.UPLOAD, null, NOW),
					true);
			batch.append(new StagedRecord(Op.DELETE, "k", null, null, NOW, null, Kind.CHANGE, null, NOW));
			SpoolWriter.Deferred retry = batch
				.appendDeferred(new StagedRecord(Op.PUT, "m", "[1,2]", null, NOW, "u2", Kind.CHANGE, null, NOW), false);
			batch.flush();
			assertThat(batch.read(retry)).startsWith("{\"op\":\"put\",\"key\":\"m\",").endsWith("}");
			batch.resolveKey(album, 1234567890123456789L);
			batch.blank(retry);
			assertThat(batch.records()).isEqualTo(2);
			file = batch.commit();
		}
		List<String> lines = Files.readAllLines(file);
		assertThat(lines).hasSize(4);
		assertThat(mapper.readTree(lines.get(1)))
			.isEqualTo(mapper.readTree("{\"op\":\"put\",\"key\":\"al\\\"b1234567890123456789/1234567890123456789\","
					+ "\"seq\":1234567890123456789,\"value\":{\"t\":1},\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\","
					+ "\"kind\":\"upload\",\"stagedAt\":\"2025-01-01T00:00:00Z\"}"));
		assertThat(lines.get(3)).isBlank();
		assertThat(new RecordValidator(mapper, KeyPolicy.NONE).validate("spool", 2, lines.get(1), NOW,
				SpoolFormat.Kind.KVBATCH))
			.isInstanceOf(LineResult.Accepted.class);
	}

	@Test
	void openBatchIsInUseAndItsLeftoverIsNot() throws IOException {
		SpoolWriter writer = new SpoolWriter(this.dir, JsonMapper.builder().build(), CLOCK);
		try (SpoolWriter.Batch batch = writer.open()) {
			assertThat(SpoolWriter.inUse(batch.tmpFile())).isTrue();
			Path leftover = Files.writeString(this.dir.resolve("stage-1-dead.jsonl.tmp"), "{\"op\":");
			assertThat(SpoolWriter.inUse(leftover)).isFalse();
		}
	}

	private static List<String> names(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.map((file) -> file.getFileName().toString()).sorted().toList();
		}
	}

}
