package dev.kvbatch.stage;

import java.time.Instant;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.RawBytes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Staging lines with {@code "base64": true}, as Cloudflare's bulk write takes them: the
 * value is a direct key's raw bytes.
 */
class Base64RecordTests {

	private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

	private final RecordValidator validator = new RecordValidator(JsonMapper.builder().build(), KeyPolicy.NONE);

	@Test
	void aBase64ValueIsStagedAsItsBytesInCanonicalBase64() {
		LineResult result = this.validator.validate("in.jsonl", 1,
				"{\"op\":\"put\",\"key\":\"photo\",\"value\":\"/9gAAQ\",\"base64\":true}", NOW);
		assertThat(result).isInstanceOf(LineResult.Accepted.class);
		StagedRecord record = ((LineResult.Accepted) result).record();
		assertThat(record.base64()).isTrue();
		assertThat(record.valueJson()).isEqualTo("\"/9gAAQ==\"");
		assertThat(RawBytes.decodeJson(record.valueJson())).containsExactly(0xff, 0xd8, 0, 1);
	}

	@Test
	void withoutTheFlagAStringValueIsJsonAsBefore() {
		StagedRecord record = ((LineResult.Accepted) this.validator.validate("in.jsonl", 1,
				"{\"op\":\"put\",\"key\":\"k\",\"value\":\"/9gAAQ\",\"base64\":false}", NOW))
			.record();
		assertThat(record.base64()).isFalse();
		assertThat(record.valueJson()).isEqualTo("\"/9gAAQ\"");
	}

	@Test
	void aValueThatIsNotBase64IsRejectedNamingTheLineAndField() {
		assertThat(this.validator.validate("in.jsonl", 4,
				"{\"op\":\"put\",\"key\":\"photo\",\"value\":\"not base64!\",\"base64\":true}", NOW))
			.isInstanceOfSatisfying(LineResult.Rejected.class, (rejected) -> {
				assertThat(rejected.rejection().line()).isEqualTo(4);
				assertThat(rejected.rejection().field()).isEqualTo("value");
				assertThat(rejected.rejection().reason()).startsWith("is not valid base64 (\"base64\" is true)");
			});
		assertThat(this.validator.validate("in.jsonl", 5,
				"{\"op\":\"put\",\"key\":\"photo\",\"value\":{\"a\":1},\"base64\":true}", NOW))
			.isInstanceOfSatisfying(LineResult.Rejected.class, (rejected) -> {
				assertThat(rejected.rejection().field()).isEqualTo("value");
				assertThat(rejected.rejection().reason()).contains("must be a string of base64");
			});
		assertThat(this.validator.validate("in.jsonl", 6,
				"{\"op\":\"put\",\"key\":\"photo\",\"value\":\"AA==\",\"base64\":\"yes\"}", NOW))
			.isInstanceOfSatisfying(LineResult.Rejected.class, (rejected) -> {
				assertThat(rejected.rejection().field()).isEqualTo("base64");
				assertThat(rejected.rejection().reason()).isEqualTo("must be true or false, was \"yes\"");
			});
		assertThat(this.validator.validate("in.jsonl", 7, "{\"op\":\"delete\",\"key\":\"photo\",\"base64\":true}", NOW))
			.isInstanceOfSatisfying(LineResult.Rejected.class,
					(rejected) -> assertThat(rejected.rejection().field()).isEqualTo("base64"));
	}

	@Test
	void theLimitCountsTheDecodedBytes() {
		String value = java.util.Base64.getEncoder().encodeToString(new byte[KvLimits.MAX_VALUE_BYTES]);
		assertThat(this.validator.validate("in.jsonl", 1,
				"{\"op\":\"put\",\"key\":\"big\",\"value\":\"" + value + "\",\"base64\":true}", NOW))
			.as("25 MiB of bytes fit, though their base64 is larger")
			.isInstanceOf(LineResult.Accepted.class);
		String over = java.util.Base64.getEncoder().encodeToString(new byte[KvLimits.MAX_VALUE_BYTES + 1]);
		assertThat(this.validator.validate("in.jsonl", 2,
				"{\"op\":\"put\",\"key\":\"big\",\"value\":\"" + over + "\",\"base64\":true}", NOW))
			.isInstanceOfSatisfying(LineResult.Rejected.class,
					(rejected) -> assertThat(rejected.rejection().reason()).contains("once decoded from base64"));
	}

}
