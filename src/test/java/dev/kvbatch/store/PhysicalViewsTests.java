package dev.kvbatch.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import dev.kvbatch.pack.PhysicalValue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class PhysicalViewsTests {

	/**
	 * Digests recorded before the value was digested through a buffer stay valid: an
	 * upgrade re-sends no unchanged key.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "", "{\"a\":1}", "caf\u00e9 \u20ac \ud83d\ude00", "lone \ud800 surrogate", "end \udfff" })
	void digestIsTheSha256OfTheValuesUtf8BytesAndExpiration(String text) throws Exception {
		String longer = text.repeat(20_000);
		for (String value : new String[] { text, longer }) {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(value.getBytes(StandardCharsets.UTF_8));
			sha.update((byte) 0);
			sha.update("1800000000".getBytes(StandardCharsets.UTF_8));

			assertThat(PhysicalViews.digest(new PhysicalValue("k", value, 1_800_000_000L)))
				.isEqualTo(HexFormat.of().formatHex(sha.digest()));
		}
	}

}
