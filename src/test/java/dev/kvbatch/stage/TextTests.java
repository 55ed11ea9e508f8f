package dev.kvbatch.stage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextTests {

	@Test
	void utf8LengthCountsBytesAndFlagsUnpairedSurrogates() {
		assertThat(Text.utf8Length("a")).isEqualTo(1);
		assertThat(Text.utf8Length("é")).isEqualTo(2);
		assertThat(Text.utf8Length("€")).isEqualTo(3);
		assertThat(Text.utf8Length("😀")).isEqualTo(4);
		assertThat(Text.utf8Length("a\uD83D")).isEqualTo(-1);
		assertThat(Text.utf8Length("\uDE00a")).isEqualTo(-1);
	}

	@Test
	void cutNeverSplitsASurrogatePair() {
		assertThat(Text.cut("ab😀", 3)).isEqualTo("ab");
		assertThat(Text.cut("ab😀", 4)).isEqualTo("ab😀");
		assertThat(Text.cut("abcd", 2)).isEqualTo("ab");
	}

	@Test
	void sanitizeReplacesOnlyUnpairedSurrogates() {
		assertThat(Text.sanitize("a\uD83Db😀\uDE00")).isEqualTo("a\uFFFDb😀\uFFFD");
		assertThat(Text.sanitize("plain")).isEqualTo("plain");
	}

	@Test
	void quoteShowsAStringAsJsonAndShortensIt() {
		assertThat(Text.quote("say \"hi\"\n")).isEqualTo("\"say \\\"hi\\\"\\n\"");
		assertThat(Text.quote("x".repeat(200))).hasSize(81).endsWith("…");
	}

}
