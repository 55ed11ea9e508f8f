package dev.kvbatch.stage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class LineReaderTests {

	@Test
	void linesEndAtLfOrCrLfAndKeepPhysicalNumbers() throws IOException {
		assertThat(read("a\r\n\nb\nc", 0)).containsExactly(new InputLine(1, "a"), new InputLine(2, ""),
				new InputLine(3, "b"), new InputLine(4, "c"));
	}

	@Test
	void lineBreakAtTheEndStartsNoFurtherLine() throws IOException {
		assertThat(read("a\nb\n", 0)).containsExactly(new InputLine(1, "a"), new InputLine(2, "b"));
		assertThat(read("", 0)).isEmpty();
		assertThat(read("\n", 0)).containsExactly(new InputLine(1, ""));
	}

	@Test
	void eachLineIsDecodedStrictlyAsUtf8OnItsOwn() throws IOException {
		byte[] input = bytes(utf8("{\"k\":\"é\"}\n"), new byte[] { '{', '"', (byte) 0xFF, '"', '}', '\n' },
				utf8("ok €\n"));
		List<InputLine> lines = read(input, 0);
		assertThat(lines).hasSize(3);
		assertThat(lines.get(0)).isEqualTo(new InputLine(1, "{\"k\":\"é\"}"));
		assertThat(lines.get(1)).isEqualTo(new InputLine(2, "{\"\uFFFD\"}",
				"is not valid UTF-8: byte 0xFF at byte 3 of the line cannot start or continue a character; "
						+ "save the input as UTF-8"));
		assertThat(lines.get(2)).isEqualTo(new InputLine(3, "ok €"));
	}

	@Test
	void latin1AndEncodedSurrogatesAreNotUtf8() throws IOException {
		byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
		byte[] cesu = { 'x', (byte) 0xED, (byte) 0xA0, (byte) 0x80 };
		List<InputLine> lines = read(bytes(latin1, new byte[] { '\n' }, cesu), 0);
		assertThat(lines).extracting(InputLine::problem)
			.allSatisfy((problem) -> assertThat(problem).startsWith("is not valid UTF-8: byte 0x"));
		assertThat(lines.get(0).problem()).contains("byte 0xE9 at byte 4");
		assertThat(lines.get(1).problem()).contains("byte 0xED at byte 2");
	}

	@Test
	void skippedLinesAreNotPassedOnAndNumbersStayThoseOfTheInput() throws IOException {
		byte[] input = bytes(new byte[] { (byte) 0xFF, '\n' }, utf8("two\n\nfour\n"));
		assertThat(read(input, 2)).containsExactly(new InputLine(3, ""), new InputLine(4, "four"));
		assertThat(read(input, 10)).isEmpty();
	}

	@Test
	void byteOrderMarkAtTheStartIsDropped() throws IOException {
		byte[] input = bytes(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }, utf8("a\n\uFEFFb"));
		assertThat(read(input, 0)).containsExactly(new InputLine(1, "a"), new InputLine(2, "\uFEFFb"));
	}

	@Test
	void lineLongerThanTheLimitIsReportedAndTheNextLineIsRead() throws IOException {
		List<InputLine> lines = new ArrayList<>();
		LineReader.forEach(new ByteArrayInputStream(utf8("0123456789\n01234567890123\r\nok")), 0, 10, lines::add);
		assertThat(lines).containsExactly(new InputLine(1, "0123456789"),
				new InputLine(2, "01234567890",
						"is 14 bytes long, over the 10-byte line limit (a value may be at most 25 MiB)"),
				new InputLine(3, "ok"));
	}

	@Test
	void linesLongerThanTheReadBufferComeThroughWhole() throws IOException {
		String longLine = "x".repeat(200_000) + "é".repeat(50_000);
		assertThat(read(longLine + "\nshort", 0)).containsExactly(new InputLine(1, longLine),
				new InputLine(2, "short"));
	}

	@Test
	void consumerExceptionStopsReading() {
		List<Long> seen = new ArrayList<>();
		assertThatIOException()
			.isThrownBy(() -> LineReader.forEach(new ByteArrayInputStream(utf8("a\nb\nc")), 0, (line) -> {
				seen.add(line.number());
				if (line.number() == 2) {
					throw new IOException("stop");
				}
			}))
			.withMessage("stop");
		assertThat(seen).containsExactly(1L, 2L);
	}

	@Test
	void aReadContinuesFromThePositionAfterAnyLineAsIfTheInputWereReadWhole() throws IOException {
		byte[] input = bytes(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }, utf8("one\r\n\ndrei €\n"),
				new byte[] { 'x', (byte) 0xFF, '\n' }, utf8("last"));
		List<InputLine> whole = read(input, 0);
		List<LinePosition> after = new ArrayList<>();
		LineReader.forEach(new ByteArrayInputStream(input), LinePosition.START, 0,
				(line, position) -> after.add(position));
		assertThat(after).extracting(LinePosition::line).containsExactly(1L, 2L, 3L, 4L, 5L);
		assertThat(after.get(after.size() - 1).offset()).isEqualTo(input.length);
		for (LinePosition from : after) {
			List<InputLine> rest = new ArrayList<>();
			ByteArrayInputStream in = new ByteArrayInputStream(input);
			in.skipNBytes(from.offset());
			LineReader.forEach(in, from, 0, (line, position) -> rest.add(line));
			assertThat(rest).as("from %s", from).isEqualTo(whole.subList((int) from.line(), whole.size()));
		}
	}

	private static List<InputLine> read(String input, long skip) throws IOException {
		return read(utf8(input), skip);
	}

	private static List<InputLine> read(byte[] input, long skip) throws IOException {
		List<InputLine> lines = new ArrayList<>();
		LineReader.forEach(new ByteArrayInputStream(input), skip, lines::add);
		return lines;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] bytes(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

}
