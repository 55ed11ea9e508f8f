package dev.kvbatch.pack;

import java.util.Random;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compact JSON of a plain string, made without a writer, is the text the JSON writer
 * gives; every other string is left to the writer.
 */
class PlainJsonTests {

	/** Plain characters, the ones JSON escapes or might, and beyond ASCII. */
	private static final String ALPHABET = "aZ09 ~!#$%&'()*+,-.:;<=>?@[]^_`{|}\"\\/\n\t\u0000\u001f\u007f\u00e9\u2028\ud83d\ude00";

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void quotesAPlainStringAsTheWriterDoes() {
		Random random = new Random(7);
		int plain = 0;
		for (int i = 0; i < 20_000; i++) {
			String text = randomText(random);
			String written = this.mapper.writeValueAsString(text);
			String quoted = PlainJson.quoted(text);
			if (quoted != null) {
				plain++;
				assertThat(quoted).as(written).isEqualTo(written);
			}
			assertThat(PlainJson.isPlainLiteral(written)).as(written).isEqualTo(quoted != null);
		}
		// Short texts of plain characters are common in the sample: the fast path is
		// taken.
		assertThat(plain).isGreaterThan(1000);
	}

	@Test
	void leavesEveryCharacterThatMightBeEscapedToTheWriter() {
		for (String text : new String[] { "a\"b", "a\\b", "a/b", "a\nb", "\u007f", "é", "\u2028", "\ud83d\ude00" }) {
			assertThat(PlainJson.quoted(text)).as(text).isNull();
		}
		assertThat(PlainJson.quoted("")).isEqualTo("\"\"");
		assertThat(PlainJson.quoted("printable ASCII, 0-9 & {[]}")).isEqualTo("\"printable ASCII, 0-9 & {[]}\"");
	}

	@Test
	void aPlainLiteralIsOneWholeString() {
		assertThat(PlainJson.isPlainLiteral("\"abc\"")).isTrue();
		assertThat(PlainJson.isPlainLiteral("\"\"")).isTrue();
		for (String json : new String[] { "\"", "\"abc", "abc\"", "\"a\",\"b\"", "\"a\" ", "42", "{}", "\"a\\\"b\"" }) {
			assertThat(PlainJson.isPlainLiteral(json)).as(json).isFalse();
		}
	}

	private static String randomText(Random random) {
		int length = random.nextInt(6);
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < length; i++) {
			// Mostly plain characters, so that plain texts come up often.
			int at = random.nextInt(4) > 0 ? random.nextInt(30) : random.nextInt(ALPHABET.length());
			char c = ALPHABET.charAt(at);
			if (Character.isHighSurrogate(c) && at + 1 < ALPHABET.length()) {
				text.append(c).append(ALPHABET.charAt(at + 1));
			}
			else if (!Character.isLowSurrogate(c)) {
				text.append(c);
			}
		}
		return text.toString();
	}

}
