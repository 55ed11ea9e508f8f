package dev.kvbatch.kv;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class MeteredKvTargetTests {

	@ParameterizedTest
	@ValueSource(strings = { "", "ascii", "caf\u00e9", "\u20ac 3", "\ud83d\ude00 emoji", "lone \ud800 x", "\udfff",
			"end \ud83d" })
	void countsTheBytesJavaWouldEncode(String text) {
		assertThat(MeteredKvTarget.utf8(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
	}

}
