package dev.kvbatch.stage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads JSON Lines input line by line, streaming: memory is bounded by the longest line
 * kept ({@link #MAX_LINE_BYTES}), not by the size of the input.
 * <p>
 * Lines end at {@code \n}; a {@code \r} before it is dropped, as is a UTF-8 byte order
 * mark at the start of the input. Each line is decoded on its own and strictly as UTF-8,
 * so one bad line is reported through {@link InputLine#problem()} while the lines around
 * it still come through. A last line without a line break is a line; a line break at the
 * very end does not start another one.
 */
public final class LineReader {

	/**
	 * The longest line that is decoded: a 25 MiB value plus generous room for escapes and
	 * whitespace. Longer lines are reported, not loaded.
	 */
	public static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

	/** How much of an unreadable line is kept to show the producer. */
	private static final int SHOWN_BYTES = 4096;

	private static final int CHUNK_BYTES = 64 * 1024;

	/** Above this the line buffer is dropped after use, so one huge line is not kept. */
	private static final int KEPT_BUFFER_BYTES = 1024 * 1024;

	private final InputStream in;

	private final long skipLines;

	private final int maxLineBytes;

	private final PositionedLineConsumer consumer;

	private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
		.onMalformedInput(CodingErrorAction.REPORT)
		.onUnmappableCharacter(CodingErrorAction.REPORT);

	private byte[] line = new byte[8192];

	/** Bytes of the current line held in {@link #line}. */
	private int held;

	/** Bytes of the current line seen so far, held or not. */
	private long seen;

	/** The last byte of the current line, held or not. */
	private byte last;

	/** Lines completed so far. */
	private long number;

	/** Bytes of the input before the current line. */
	private long offset;

	private LineReader(InputStream in, LinePosition from, long skipLines, int maxLineBytes,
			PositionedLineConsumer consumer) {
		this.in = in;
		this.number = from.line();
		this.offset = from.offset();
		this.skipLines = skipLines;
		this.maxLineBytes = maxLineBytes;
		this.consumer = consumer;
	}

	/**
	 * Pass every line of {@code in} to {@code consumer}, in order. The stream is read to
	 * its end and not closed.
	 * @param in the input
	 * @param skipLines how many lines to skip without decoding or passing them on, to
	 * resume after the last line that was handled; line numbers stay those of the input
	 * @param consumer receives the lines
	 * @throws IOException if the stream cannot be read or the consumer throws it
	 */
	public static void forEach(InputStream in, long skipLines, LineConsumer consumer) throws IOException {
		forEach(in, skipLines, MAX_LINE_BYTES, consumer);
	}

	static void forEach(InputStream in, long skipLines, int maxLineBytes, LineConsumer consumer) throws IOException {
		new LineReader(in, LinePosition.START, skipLines, maxLineBytes, (line, after) -> consumer.accept(line)).run();
	}

	/**
	 * Pass the lines of {@code in} from a position on to {@code consumer}, with the
	 * position after each, so that a later read can start where this one stopped instead
	 * of reading the lines before again. The stream is read to its end and not closed.
	 * @param in the input, already at {@code from}'s offset
	 * @param from where {@code in} starts: line numbers and positions count on from it
	 * @param skipLines lines to skip, counted from the start of the input as with
	 * {@link #forEach(InputStream, long, LineConsumer)}; those before {@code from} are
	 * already skipped
	 * @param consumer receives the lines
	 * @throws IOException if the stream cannot be read or the consumer throws it
	 */
	public static void forEach(InputStream in, LinePosition from, long skipLines, PositionedLineConsumer consumer)
			throws IOException {
		new LineReader(in, from, skipLines, MAX_LINE_BYTES, consumer).run();
	}

	private void run() throws IOException {
		byte[] chunk = new byte[CHUNK_BYTES];
		int read;
		while ((read = this.in.read(chunk)) != -1) {
			int start = 0;
			for (int i = 0; i < read; i++) {
				if (chunk[i] == '\n') {
					take(chunk, start, i - start);
					endLine(1);
					start = i + 1;
				}
			}
			take(chunk, start, read - start);
		}
		if (this.seen > 0) {
			endLine(0);
		}
	}

	private boolean skipping() {
		return this.number < this.skipLines;
	}

	private void take(byte[] bytes, int from, int length) {
		if (length == 0) {
			return;
		}
		this.seen += length;
		this.last = bytes[from + length - 1];
		if (skipping()) {
			return;
		}
		// One byte past the limit is enough to know the line is too long; the rest
		// is counted but not kept.
		int room = (int) Math.min(length, this.maxLineBytes + 1L - this.held);
		if (room > 0) {
			if (this.held + room > this.line.length) {
				int grown = (int) Math.min(this.maxLineBytes + 1L, this.line.length * 2L);
				this.line = Arrays.copyOf(this.line, Math.max(this.held + room, grown));
			}
			System.arraycopy(bytes, from, this.line, this.held, room);
			this.held += room;
		}
	}

	private void endLine(int lineBreakBytes) throws IOException {
		this.number++;
		this.offset += this.seen + lineBreakBytes;
		InputLine line = (this.number > this.skipLines) ? decode() : null;
		this.held = 0;
		this.seen = 0;
		if (this.line.length > KEPT_BUFFER_BYTES) {
			// Let go of a long line's bytes before the consumer parses its text, which
			// takes several times its size for a while.
			this.line = new byte[8192];
		}
		if (line != null) {
			this.consumer.accept(line, new LinePosition(this.number, this.offset));
		}
	}

	private InputLine decode() {
		int from = 0;
		int to = this.held;
		long length = this.seen;
		if (length > 0 && this.last == '\r') {
			length--;
			to = (int) Math.min(to, length);
		}
		if (this.number == 1 && to >= 3 && (this.line[0] & 0xFF) == 0xEF && (this.line[1] & 0xFF) == 0xBB
				&& (this.line[2] & 0xFF) == 0xBF) {
			from = 3;
			length -= 3;
		}
		if (length > this.maxLineBytes) {
			return new InputLine(this.number, lenient(from, Math.min(to, from + SHOWN_BYTES)),
					"is " + length + " bytes long, over the " + this.maxLineBytes
							+ "-byte line limit (a value may be at most 25 MiB)");
		}
		if (isAscii(from, to)) {
			// Most lines: ASCII is valid UTF-8 byte for char, and Latin-1 copies it as
			// is.
			return new InputLine(this.number, new String(this.line, from, to - from, StandardCharsets.ISO_8859_1));
		}
		ByteBuffer bytes = ByteBuffer.wrap(this.line, from, to - from);
		CharBuffer chars = CharBuffer.allocate(to - from);
		this.decoder.reset();
		CoderResult result = this.decoder.decode(bytes, chars, true);
		if (!result.isError()) {
			result = this.decoder.flush(chars);
		}
		if (result.isError()) {
			int offset = bytes.position();
			return new InputLine(this.number, lenient(from, Math.min(to, from + SHOWN_BYTES)),
					String.format(
							"is not valid UTF-8: byte 0x%02X at byte %d of the line cannot start or continue "
									+ "a character; save the input as UTF-8",
							this.line[offset] & 0xFF, offset - from + 1));
		}
		return new InputLine(this.number, chars.flip().toString());
	}

	private boolean isAscii(int from, int to) {
		for (int i = from; i < to; i++) {
			if (this.line[i] < 0) {
				return false;
			}
		}
		return true;
	}

	private String lenient(int from, int to) {
		return new String(this.line, from, to - from, StandardCharsets.UTF_8);
	}

}
