package dev.kvbatch.pack;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counting UTF-8 bytes without encoding, as KV measures keys and values.
 */
class KvLimitsTests {

	@Test
	void countsUtf8BytesLikeTheEncoder() {
		for (String text : new String[] { "", "a15", "é", "日本", "😀", "a😀b", "\uD800", "x\uDC00y",
				"\uD83D\uD83D\uDE00" }) {
			assertThat(KvLimits.utf8Length(text)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
		}
		assertThat(KvLimits.utf8Length("😀")).isEqualTo(4);
	}

	@Test
	void allowsKeysOfOneTo512BytesExceptDotAndDotDot() {
		assertThat(KvLimits.keyProblem("a")).isNull();
		assertThat(KvLimits.keyProblem("日".repeat(170))).isNull();
		assertThat(KvLimits.keyProblem("日".repeat(171))).isEqualTo("is 513 UTF-8 bytes, over KV's 512-byte key limit");
		assertThat(KvLimits.keyProblem("")).isEqualTo("is empty");
		assertThat(KvLimits.keyProblem(".")).isEqualTo("is \".\", which KV does not allow");
		assertThat(KvLimits.keyProblem("..")).isEqualTo("is \"..\", which KV does not allow");
	}

}
