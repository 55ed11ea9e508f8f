package dev.kvbatch.stage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class RecordValidatorTests {

	private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

	private static final long NOW_S = NOW.getEpochSecond();

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private RecordValidator validator;

	@BeforeEach
	void setUp() {
		this.validator = new RecordValidator(MAPPER, KeyPolicy.NONE);
	}

	@Test
	void putWithTtlExpiresTtlSecondsAfterStagingTime() {
		StagedRecord record = accept(
				"{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:task42\",\"value\":{\"thingsId\":\"T-9\"},\"ttl\":7776000}");
		assertThat(record).isEqualTo(new StagedRecord(Op.PUT, "mobile-mapping:dev1:task42", "{\"thingsId\":\"T-9\"}",
				NOW_S + 7776000, NOW, null, Kind.CHANGE, null, NOW));
	}

	@Test
	void ttlFromAStagingTimeWithinASecondRoundsUpSoTheRecordLivesAtLeastTheTtl() {
		LineResult result = this.validator.validate("in", 1, "{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"ttl\":60}",
				NOW.plusMillis(400));
		assertThat(accepted(result).expiresAt()).isEqualTo(NOW_S + 61);
	}

	@Test
	void aStringValueIsStoredAsItsCompactJsonWhetherOrNotItIsCutFromTheLine() {
		// Plain strings are cut from the line; the others are decoded and written again.
		String[][] cases = { { "\"plain text 123\"", "\"plain text 123\"" }, { "\"\"", "\"\"" },
				{ "\"\\u0041\\/b\"", "\"A/b\"" }, { "\"a\\\"b\"", "\"a\\\"b\"" }, { "\"é\"", "\"é\"" },
				{ "\"tab\\there\"", "\"tab\\there\"" } };
		for (String[] value : cases) {
			assertThat(accept("{\"op\":\"put\",\"key\":\"k\",\"value\":" + value[0] + " ,\"ttl\":60}").valueJson())
				.as(value[0])
				.isEqualTo(value[1]);
		}
		assertThat(reject("{\"op\":\"put\",\"key\":\"k\",\"value\":\"ab\"c\"}").reason()).contains("not valid JSON");
		assertThat(reject("{\"op\":\"put\",\"key\":\"k\",\"value\":\"abc").reason()).contains("not valid JSON");
		assertThat(reject("{\"op\":\"put\",\"key\":\"k\",\"value\":\"ab\tc\"}").reason()).contains("not valid JSON");
	}

	@Test
	void deleteNeedsOnlyOpAndKey() {
		assertThat(accept("{\"op\":\"delete\",\"key\":\"mobile-mapping:dev1:task42\"}")).isEqualTo(new StagedRecord(
				Op.DELETE, "mobile-mapping:dev1:task42", null, null, NOW, null, Kind.CHANGE, null, NOW));
	}

	@Test
	void expirationIsKeptWhenAtLeastSixtySecondsAfterStagingTime() {
		assertThat(accept("{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"expiration\":" + (NOW_S + 60) + "}").expiresAt())
			.isEqualTo(NOW_S + 60);
	}

	@Test
	void allFieldsAreTaken() {
		StagedRecord record = accept(
				"{\"op\":\"put\",\"key\":\"k\",\"value\":[1,\"x\",null],\"at\":\"2024-06-01T10:00:00Z\","
						+ "\"id\":\"evt-1\",\"kind\":\"upload\"}");
		assertThat(record).isEqualTo(new StagedRecord(Op.PUT, "k", "[1,\"x\",null]", null,
				Instant.parse("2024-06-01T10:00:00Z"), "evt-1", Kind.UPLOAD, null, NOW));
	}

	@Test
	void atAcceptsAnInstantAnOffsetDateTimeAndEpochMillis() {
		assertThat(at("\"2025-05-01T12:00:00.123Z\"")).isEqualTo(Instant.parse("2025-05-01T12:00:00.123Z"));
		assertThat(at("\"2025-05-01T14:00:00+02:00\"")).isEqualTo(Instant.parse("2025-05-01T12:00:00Z"));
		assertThat(at("1746100800123")).isEqualTo(Instant.ofEpochMilli(1746100800123L));
	}

	@Test
	void integerIdBecomesItsStringForm() {
		assertThat(accept("{\"op\":\"delete\",\"key\":\"k\",\"id\":42}").id()).isEqualTo("42");
		assertThat(accept("{\"op\":\"delete\",\"key\":\"k\",\"id\":123456789012345678901234567890}").id())
			.isEqualTo("123456789012345678901234567890");
	}

	@Test
	void valueNumbersAreKeptExactlyAsWritten() {
		assertThat(accept("{\"op\":\"put\",\"key\":\"k\",\"value\": {\"price\": 1.10, \"big\": 12345678901234567890123,"
				+ " \"e\": 1e400 }}")
			.valueJson()).isEqualTo("{\"price\":1.10,\"big\":12345678901234567890123,\"e\":1E+400}");
	}

	@Test
	void jsonNullValueIsAValueButNullOptionalFieldsAreAbsent() {
		StagedRecord record = accept(
				"{\"op\":\"put\",\"key\":\"k\",\"value\":null,\"ttl\":null,\"at\":null,\"id\":null,\"kind\":null}");
		assertThat(record).isEqualTo(new StagedRecord(Op.PUT, "k", "null", null, NOW, null, Kind.CHANGE, null, NOW));
	}

	@Test
	void valueOfExactly25MibIsAcceptedAndOneByteMoreIsRejected() {
		String fits = "\"" + "a".repeat((int) RecordValidator.MAX_VALUE_BYTES - 2) + "\"";
		assertThat(accept("{\"op\":\"put\",\"key\":\"k\",\"value\":" + fits + "}").valueJson()).hasSize(26_214_400);
		String over = "\"" + "a".repeat((int) RecordValidator.MAX_VALUE_BYTES - 1) + "\"";
		Rejection rejection = reject("{\"op\":\"put\",\"key\":\"k\",\"value\":" + over + "}");
		assertThat(rejection.field()).isEqualTo("value");
		assertThat(rejection.reason())
			.isEqualTo("is 26214401 bytes as compact JSON, over KV's 25 MiB (26214400-byte) limit");
		assertThat(rejection.raw()).hasSize(1000);
	}

	@Test
	void keyOf512BytesIsAccepted() {
		String key = "€".repeat(170) + "ab";
		assertThat(accept("{\"op\":\"delete\",\"key\":\"" + key + "\"}").key()).isEqualTo(key);
	}

	@Test
	void blankLinesAreBlank() {
		assertThat(this.validator.validate("in", 1, "", NOW)).isEqualTo(LineResult.BLANK);
		assertThat(this.validator.validate("in", 2, "  \t ", NOW)).isInstanceOf(LineResult.Blank.class);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badLines")
	void badLineIsRejectedWithLineFieldAndReason(String line, String field, String reason) {
		LineResult result = this.validator.validate("in.jsonl", 7, line, NOW);
		assertThat(result).isEqualTo(
				new LineResult.Rejected(new Rejection("in.jsonl", 7, "-".equals(field) ? null : field, reason, line)));
	}

	static Stream<Arguments> badLines() {
		String put = "{\"op\":\"put\",\"key\":\"k\",\"value\":1";
		String delete = "{\"op\":\"delete\",\"key\":\"k\"";
		return Stream.of(
				arguments("{\"op\":", "-",
						"is not valid JSON: Unexpected end-of-input within/between Object entries" + " (column 7)"),
				arguments("[1,2]", "-", "must be a JSON object such as {\"op\":\"put\",...}, was an array"),
				arguments("\"put\"", "-", "must be a JSON object such as {\"op\":\"put\",...}, was a string"),
				arguments("{} {}", "-", "has more text after the JSON object; put one object on each line"),
				arguments("{\"op\":\"put\",\"key\":\"k\",\"vlaue\":1}", "vlaue",
						"is not a known field (did you mean \"value\"?); the fields are op, key, value, ttl, expiration, "
								+ "at, id, kind"),
				arguments(put + ",\"color\":\"red\"}", "color",
						"is not a known field; the fields are op, key, value, ttl, expiration, at, id, kind"),
				arguments("{\"op\":\"put\",\"op\":\"delete\",\"key\":\"k\"}", "op",
						"appears more than once; give it once"),
				arguments("{\"op\":\"put\",\"key\":\"k\",\"value\":{\"a\":1,\"a\":2}}", "value",
						"has the property \"a\" twice in one object; give it once"),
				arguments("{\"key\":\"k\",\"value\":1}", "op", "is required: \"put\" or \"delete\""),
				arguments("{\"op\":\"upsert\",\"key\":\"k\",\"value\":1}", "op",
						"must be \"put\" or \"delete\", was \"upsert\""),
				arguments("{\"op\":\"PUT\",\"key\":\"k\",\"value\":1}", "op",
						"must be \"put\" or \"delete\", was \"PUT\""),
				arguments("{\"op\":\"put\",\"value\":1}", "key", "is required"),
				arguments("{\"op\":\"put\",\"key\":7,\"value\":1}", "key", "must be a string, was 7"),
				arguments("{\"op\":\"put\",\"key\":\"\",\"value\":1}", "key", "must not be empty"),
				arguments("{\"op\":\"put\",\"key\":\".\",\"value\":1}", "key",
						"must not be \".\" or \"..\" (KV does not allow them), was \".\""),
				arguments("{\"op\":\"put\",\"key\":\"..\",\"value\":1}", "key",
						"must not be \".\" or \"..\" (KV does not allow them), was \"..\""),
				arguments("{\"op\":\"put\",\"key\":\"" + "k".repeat(600) + "\",\"value\":1}", "key",
						"is 600 bytes, over KV's 512-byte limit"),
				arguments("{\"op\":\"put\",\"key\":\"" + "€".repeat(171) + "\",\"value\":1}", "key",
						"is 513 bytes, over KV's 512-byte limit"),
				arguments("{\"op\":\"put\",\"key\":\"a\\ud800\",\"value\":1}", "key",
						"holds an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape); keys must be valid Unicode"),
				arguments("{\"op\":\"put\",\"key\":\"k\"}", "value",
						"is required for \"put\" (any JSON, for example {} or \"text\")"),
				arguments(delete + ",\"value\":1}", "value", "is not allowed on \"delete\"; remove it"),
				arguments(delete + ",\"value\":null}", "value", "is not allowed on \"delete\"; remove it"),
				arguments(put + ",\"ttl\":30}", "ttl", "must be at least 60 seconds, was 30"),
				arguments(put + ",\"ttl\":-5}", "ttl", "must be at least 60 seconds, was -5"),
				arguments(put + ",\"ttl\":\"60\"}", "ttl", "must be a whole number of seconds, was \"60\""),
				arguments(put + ",\"ttl\":60.5}", "ttl", "must be a whole number of seconds, was 60.5"),
				arguments(put + ",\"ttl\":99999999999999999999}", "ttl", "is too large, was 99999999999999999999"),
				arguments(delete + ",\"ttl\":60}", "ttl", "is not allowed on \"delete\"; remove it"),
				arguments(put + ",\"expiration\":" + (NOW_S + 59) + "}", "expiration",
						"must be at least 60 seconds after staging time 2025-01-01T00:00:00Z, so at least "
								+ (NOW_S + 60) + " epoch seconds, was " + (NOW_S + 59)),
				arguments(put + ",\"expiration\":\"soon\"}", "expiration",
						"must be a whole number of epoch seconds, was \"soon\""),
				arguments(put + ",\"ttl\":60,\"expiration\":" + (NOW_S + 600) + "}", "expiration",
						"cannot be combined with \"ttl\"; give one of them"),
				arguments(delete + ",\"expiration\":" + (NOW_S + 600) + "}", "expiration",
						"is not allowed on \"delete\"; remove it"),
				arguments(put + ",\"at\":\"yesterday\"}", "at",
						"must be an ISO-8601 time such as \"2025-05-01T12:00:00Z\" or epoch milliseconds, was \"yesterday\""),
				arguments(put + ",\"at\":1.5}", "at",
						"must be an ISO-8601 time such as \"2025-05-01T12:00:00Z\" or epoch milliseconds, was 1.5"),
				arguments(put + ",\"at\":\"2025-05-01T12:00:00\"}", "at",
						"has no time zone, was \"2025-05-01T12:00:00\"; add Z or an offset, as in \"2025-05-01T12:00:00Z\""
								+ " or \"2025-05-01T14:00:00+02:00\""),
				arguments(put + ",\"id\":\"\"}", "id", "must not be empty; leave it out instead"),
				arguments(put + ",\"id\":\"" + "i".repeat(513) + "\"}", "id", "is 513 bytes, over the 512-byte limit"),
				arguments(put + ",\"id\":true}", "id", "must be a string or a whole number, was true"),
				arguments(put + ",\"id\":4.2}", "id", "must be a string or a whole number, was 4.2"),
				arguments(put + ",\"kind\":\"Upload\"}", "kind", "must be \"upload\" or \"change\", was \"Upload\""),
				arguments(put + ",\"at\":\"+300000000-01-01T00:00:00Z\"}", "at",
						"is +300000000-01-01T00:00:00Z, outside the range kvbatch keeps times in "
								+ "(-292275055-05-16T16:47:04.192Z to +292278994-08-17T07:12:55.807Z)"),
				arguments(put + ",\"seq\":999999}", "seq",
						"is set by kvbatch in its own spool files, never by producers; leave it out (a {seq} in the key "
								+ "gets the next value)"),
				arguments(put + ",\"stagedAt\":\"2000-01-01T00:00:00Z\",\"ttl\":3600}", "stagedAt",
						"is set by kvbatch in its own spool files, never by producers; leave it out (the staging time is "
								+ "when the line is staged)"),
				arguments("{\"deadLetter\":{\"source\":\"x\",\"line\":1,\"reason\":\"r\",\"raw\":\"\"}}", "deadLetter",
						"is set by kvbatch in its own spool files, never by producers; leave it out"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badOwnLines")
	void badLineOfAnOwnSpoolFileIsRejected(String line, String field, String reason) {
		LineResult result = this.validator.validate("stage-1.jsonl", 7, line, NOW, SpoolFormat.Kind.KVBATCH);
		assertThat(result).isEqualTo(new LineResult.Rejected(new Rejection("stage-1.jsonl", 7, field, reason, line)));
	}

	static Stream<Arguments> badOwnLines() {
		String put = "{\"op\":\"put\",\"key\":\"k\",\"value\":1";
		return Stream.of(
				arguments(put + ",\"seq\":0}", "seq",
						"must be a positive whole number, was 0 (kvbatch writes this field; producers leave it out)"),
				arguments(put + ",\"stagedAt\":\"now\"}", "stagedAt",
						"must be an ISO-8601 instant such as \"2025-05-01T12:00:00Z\", was \"now\" (kvbatch writes this field;"
								+ " producers leave it out)"));
	}

	@Test
	void rejectedLineKeepsAtMost1000CharsOfTheLine() {
		String line = "{\"op\":\"nope\",\"key\":\"" + "k".repeat(2000) + "\"}";
		assertThat(reject(line).raw()).isEqualTo(line.substring(0, 1000));
	}

	@Test
	void lineThatIsNotUtf8IsRejectedWithTheReadersReason() {
		LineResult result = this.validator.validate("in", new InputLine(3, "{\uFFFD}", "is not valid UTF-8: ..."), NOW);
		assertThat(result)
			.isEqualTo(new LineResult.Rejected(new Rejection("in", 3, null, "is not valid UTF-8: ...", "{\uFFFD}")));
	}

	@Test
	void seqIsFormattedWithAtLeastTwoDigits() {
		assertThat(RecordValidator.formatSeq(1)).isEqualTo("01");
		assertThat(RecordValidator.formatSeq(9)).isEqualTo("09");
		assertThat(RecordValidator.formatSeq(10)).isEqualTo("10");
		assertThat(RecordValidator.formatSeq(123)).isEqualTo("123");
	}

	@Test
	void keyWithSeqKeepsItsTemplateUntilItIsResolved() {
		LineResult result = this.validator.validate("in", 1,
				"{\"op\":\"put\",\"key\":\"a{seq}/{seq}\",\"value\":{\"title\":\"Album\"},\"kind\":\"upload\"}", NOW);
		LineResult.Accepted accepted = (LineResult.Accepted) result;
		assertThat(accepted.keyTemplate()).isEqualTo("a{seq}/{seq}");
		assertThat(accepted.record().key()).isEqualTo("a{seq}/{seq}");
		assertThat(accepted.record().seq()).isNull();
		assertThat(accepted.idKey()).isNull();
		assertThat(accepted.unresolved()).isTrue();
	}

	@Test
	void keyWithoutSeqAndWithoutIdIsFinal() {
		LineResult result = this.validator.validate("in", 1, "{\"op\":\"put\",\"key\":\"a1\",\"value\":1}", NOW);
		assertThat(((LineResult.Accepted) result).keyTemplate()).isNull();
		assertThat(((LineResult.Accepted) result).unresolved()).isFalse();
	}

	@Test
	void retryOfARecordHasItsFingerprintWhateverTheLayoutOfTheLine() {
		LineResult.Accepted first = acceptedLine(
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"t\":\"A\",\"n\":[1,2]},\"ttl\":3600,\"id\":\"u1\"}",
				NOW);
		LineResult.Accepted retry = acceptedLine(
				"{ \"id\" : \"u1\", \"ttl\":3600, \"value\" : { \"t\" : \"A\", \"n\" : [ 1, 2 ] }, \"key\":\"a{seq}\", \"op\":\"put\" }",
				NOW.plusSeconds(3600));
		assertThat(first.idKey()).isEqualTo(IdKey.of("u1")).isEqualTo(retry.idKey());
		assertThat(first.fingerprint()).isEqualTo(retry.fingerprint()).isNotEqualTo(LineResult.ANY_RECORD);
		assertThat(first.raw()).startsWith("{\"op\":\"put\"");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("otherRecords")
	void otherRecordWithTheSameIdHasAnotherFingerprint(String line) {
		long first = acceptedLine(
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1,\"ttl\":3600,\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\"}",
				NOW)
			.fingerprint();
		assertThat(acceptedLine(line, NOW).fingerprint()).isNotEqualTo(first);
	}

	static Stream<String> otherRecords() {
		return Stream.of("{\"op\":\"delete\",\"key\":\"a{seq}\",\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\"}",
				"{\"op\":\"put\",\"key\":\"b{seq}\",\"value\":1,\"ttl\":3600,\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\"}",
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":2,\"ttl\":3600,\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\"}",
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1,\"ttl\":3601,\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\"}",
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1,\"expiration\":" + (NOW_S + 3600)
						+ ",\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\"}",
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1,\"ttl\":3600,\"id\":\"u1\"}",
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1,\"ttl\":3600,\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\","
						+ "\"kind\":\"upload\"}");
	}

	@Test
	void recordOfAnEarlierVersionsSpoolFileMatchesAnyRetryOfItsId() {
		LineResult.Accepted legacy = (LineResult.Accepted) this.validator.validate("stage-1-0a0b0c0d.jsonl", 1,
				"{\"op\":\"put\",\"key\":\"a07\",\"value\":1,\"at\":\"2025-01-01T00:00:00Z\",\"id\":\"u1\","
						+ "\"kind\":\"upload\",\"seq\":7,\"stagedAt\":\"2025-01-01T00:00:00Z\"}",
				NOW, SpoolFormat.Kind.LEGACY);
		assertThat(legacy.idKey()).isEqualTo(IdKey.of("u1"));
		assertThat(legacy.fingerprint()).isEqualTo(LineResult.ANY_RECORD);
		assertThat(legacy.record().seq()).isEqualTo(7L);
	}

	@Test
	void keyTooLongEvenWithTheShortestSeqIsRejectedBeforeAValueIsSpent() {
		Rejection rejection = reject("{\"op\":\"put\",\"key\":\"" + "x".repeat(511) + "{seq}\",\"value\":1}");
		assertThat(rejection.field()).isEqualTo("key");
		assertThat(rejection.reason())
			.isEqualTo("is at least 513 bytes once {seq} is replaced, over KV's 512-byte limit");
	}

	@Test
	void finalKeyIsCheckedAgainstKvsLimit() {
		assertThat(this.validator.checkFinalKey(Op.PUT, "x".repeat(505) + "100000000", NOW, null, "100000000"))
			.isEqualTo(new RecordValidator.Refusal("key",
					"is 514 bytes after {seq} became 100000000, over KV's 512-byte limit"));
		assertThat(this.validator.checkFinalKey(Op.PUT, "x".repeat(503) + "100000000", NOW, null, "100000000"))
			.isNull();
	}

	@Test
	void stagedLineKeepsStagedAtAndSeqAndChecksExpirationAgainstStagedAt() {
		// Staged yesterday; ingested today, after the expiration, which is fine.
		String line = "{\"op\":\"put\",\"key\":\"a07\",\"value\":1,\"expiration\":" + (NOW_S - 86400 + 60)
				+ ",\"at\":\"2024-12-30T10:00:00Z\",\"kind\":\"upload\",\"seq\":7,\"stagedAt\":\"2024-12-31T00:00:00Z\"}";
		assertThat(own(line)).isEqualTo(new StagedRecord(Op.PUT, "a07", "1", NOW_S - 86400 + 60,
				Instant.parse("2024-12-30T10:00:00Z"), null, Kind.UPLOAD, 7L, Instant.parse("2024-12-31T00:00:00Z")));
	}

	@Test
	void stagedLineWithExpirationTooSoonAfterStagedAtIsRejected() {
		LineResult result = this.validator.validate("in", 1, "{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"expiration\":"
				+ (NOW_S - 86400 + 59) + ",\"stagedAt\":\"2024-12-31T00:00:00Z\"}", NOW, SpoolFormat.Kind.KVBATCH);
		Rejection rejection = ((LineResult.Rejected) result).rejection();
		assertThat(rejection.field()).isEqualTo("expiration");
		assertThat(rejection.reason())
			.isEqualTo("must be at least 60 seconds after stagedAt 2024-12-31T00:00:00Z, so at least "
					+ (NOW_S - 86400 + 60) + " epoch seconds, was " + (NOW_S - 86400 + 59));
	}

	@Test
	void stagedLineCountsTtlFromStagedAtAndDefaultsAtToIt() {
		StagedRecord record = own(
				"{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"ttl\":3600,\"stagedAt\":\"2024-12-31T00:00:00Z\"}");
		assertThat(record.expiresAt()).isEqualTo(NOW_S - 86400 + 3600);
		assertThat(record.at()).isEqualTo(Instant.parse("2024-12-31T00:00:00Z"));
		assertThat(record.stagedAt()).isEqualTo(Instant.parse("2024-12-31T00:00:00Z"));
	}

	@Test
	void keyOfAnOwnSpoolFileIsFinalAsWritten() {
		LineResult result = this.validator.validate("in", 1,
				"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1,\"seq\":40,\"stagedAt\":\"2024-12-31T00:00:00Z\"}", NOW,
				SpoolFormat.Kind.KVBATCH);
		assertThat(((LineResult.Accepted) result).unresolved()).isFalse();
		assertThat(((LineResult.Accepted) result).record().key()).isEqualTo("a{seq}");
		assertThat(((LineResult.Accepted) result).record().seq()).isEqualTo(40L);
	}

	@Test
	void policySeesTheFinalKeyAndItsViolationNamesTheField() {
		List<String> seen = new ArrayList<>();
		RecordValidator validator = new RecordValidator(MAPPER, (op, key, value, at) -> {
			seen.add(op + " " + key + " " + value + " " + at);
			if (value != null && !value.isNumber()) {
				throw new KeyPolicy.Violation("value", "must be a number for the rollup rule \"views\"");
			}
			if (key.startsWith("x")) {
				throw new IllegalArgumentException("matches no packing rule");
			}
		});
		assertThat(validator.validate("in", 1, "{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":5}", NOW))
			.isInstanceOf(LineResult.Accepted.class);
		assertThat(seen).as("a {seq} key is checked once it is final").isEmpty();
		assertThat(validator.checkFinalKey(Op.PUT, "a01", NOW, MAPPER.readTree("5"), "01")).isNull();
		assertThat(validator.checkFinalKey(Op.PUT, "x01", NOW, MAPPER.readTree("5"), "01"))
			.isEqualTo(new RecordValidator.Refusal("key", "matches no packing rule"));
		assertThat(seen).containsExactly("PUT a01 5 " + NOW, "PUT x01 5 " + NOW);
		seen.clear();
		assertThat(validator.validate("in", 2, "{\"op\":\"put\",\"key\":\"v\",\"value\":\"x\"}", NOW))
			.isEqualTo(new LineResult.Rejected(
					new Rejection("in", 2, "value", "must be a number for the rollup rule \"views\"",
							"{\"op\":\"put\",\"key\":\"v\",\"value\":\"x\"}")));
		assertThat(validator.validate("in", 3, "{\"op\":\"delete\",\"key\":\"xy\"}", NOW))
			.isEqualTo(new LineResult.Rejected(
					new Rejection("in", 3, "key", "matches no packing rule", "{\"op\":\"delete\",\"key\":\"xy\"}")));
	}

	@Test
	void checkThatFailsUnforeseenRejectsOnlyItsLine() {
		RecordValidator validator = new RecordValidator(MAPPER, (op, key, value, at) -> {
			throw new ArithmeticException("overflow");
		});
		assertThat(validator.validate("in", 4, "{\"op\":\"put\",\"key\":\"k\",\"value\":1}", NOW))
			.isEqualTo(new LineResult.Rejected(new Rejection("in", 4, null,
					"cannot be checked (ArithmeticException: overflow); please report this line",
					"{\"op\":\"put\",\"key\":\"k\",\"value\":1}")));
	}

	@Test
	void rejectionMessageNamesSourceLineAndField() {
		LineResult result = this.validator.validate("in.jsonl", 12,
				"{\"op\":\"put\",\"key\":\"k\",\"value\":1,\"ttl\":30}", NOW);
		assertThat(((LineResult.Rejected) result).rejection().message())
			.isEqualTo("in.jsonl:12: field ttl: must be at least 60 seconds, was 30");
	}

	private Instant at(String json) {
		return accept("{\"op\":\"delete\",\"key\":\"k\",\"at\":" + json + "}").at();
	}

	private StagedRecord accept(String line) {
		return accepted(this.validator.validate("in", 1, line, NOW));
	}

	private StagedRecord own(String line) {
		return accepted(this.validator.validate("in", 1, line, NOW, SpoolFormat.Kind.KVBATCH));
	}

	private LineResult.Accepted acceptedLine(String line, Instant stagingTime) {
		LineResult result = this.validator.validate("in", 1, line, stagingTime);
		assertThat(result).isInstanceOf(LineResult.Accepted.class);
		return (LineResult.Accepted) result;
	}

	private static StagedRecord accepted(LineResult result) {
		assertThat(result).isInstanceOf(LineResult.Accepted.class);
		return ((LineResult.Accepted) result).record();
	}

	private Rejection reject(String line) {
		LineResult result = this.validator.validate("in", 1, line, NOW);
		assertThat(result).isInstanceOf(LineResult.Rejected.class);
		return ((LineResult.Rejected) result).rejection();
	}

}
