package dev.kvbatch.stage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The records of a stage run that still need resolving, kept in a scratch file beside the
 * spool file (where each one's line is, its id key, fingerprint and, for a {@code {seq}}
 * key, the template), so that memory does not grow with them. Written while the input is
 * read, then read back once, in order, into one reused {@link Entry}: the second pass
 * allocates nothing per record. Not thread-safe.
 */
final class DeferredLines implements Closeable {

	private static final int HAS_SEQ = 1;

	private static final int HAS_ID = 2;

	private static final int BUFFER_BYTES = 64 * 1024;

	/** The most one record takes: the fixed fields and a 512-byte template. */
	private static final int MAX_RECORD_BYTES = 128 + 3 * 512;

	private final Path file;

	private final FileChannel channel;

	private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);

	private long count;

	private long withSeq;

	private long withId;

	DeferredLines(Path file) throws IOException {
		this.file = file;
		this.channel = SpoolWriter.openScratch(file);
	}

	/** Keep one record. */
	void add(SpoolWriter.Deferred line, LineResult.Accepted accepted, int source, long number) throws IOException {
		if (this.buffer.remaining() < MAX_RECORD_BYTES) {
			flush();
		}
		IdKey id = accepted.idKey();
		boolean hasSeq = accepted.keyTemplate() != null;
		ByteBuffer out = this.buffer;
		out.putLong(line.offset());
		out.putInt((int) line.length());
		out.putLong(line.keyOffset());
		out.putInt((int) line.keyLength());
		out.putInt((int) line.keySpan());
		out.put((byte) ((hasSeq ? HAS_SEQ : 0) | ((id != null) ? HAS_ID : 0)));
		if (id != null) {
			out.putLong(id.high());
			out.putInt(id.low());
			out.putLong(accepted.fingerprint());
		}
		out.putInt(source);
		out.putLong(number);
		if (hasSeq) {
			// Only a {seq} key's final checks need these; another key is read back from
			// the spool file in the rare case that it is printed (a retry).
			byte[] template = accepted.record().key().getBytes(StandardCharsets.UTF_8);
			out.put((byte) accepted.record().op().ordinal());
			out.putLong(accepted.record().at().getEpochSecond());
			out.putInt(accepted.record().at().getNano());
			out.putShort((short) template.length);
			out.put(template);
		}
		this.count++;
		this.withSeq += hasSeq ? 1 : 0;
		this.withId += (id != null) ? 1 : 0;
	}

	long count() {
		return this.count;
	}

	/** Records whose key holds {@code {seq}}. */
	long withSeq() {
		return this.withSeq;
	}

	/** Records with an id. */
	long withId() {
		return this.withId;
	}

	/** Read the records back, in the order they were added. */
	Reader reader() throws IOException {
		flush();
		return new Reader();
	}

	private void flush() throws IOException {
		this.buffer.flip();
		while (this.buffer.hasRemaining()) {
			this.channel.write(this.buffer);
		}
		this.buffer.clear();
	}

	@Override
	public void close() throws IOException {
		SpoolWriter.dropScratch(this.file, this.channel);
	}

	/** One record to resolve; the reader fills the same instance with each. */
	static final class Entry {

		long offset;

		long length;

		long keyOffset;

		long keyLength;

		long keySpan;

		boolean hasSeq;

		@Nullable IdKey id;

		long fingerprint;

		int source;

		long number;

		@Nullable Op op;

		@Nullable Instant at;

		@Nullable String template;

		SpoolWriter.Deferred line() {
			return new SpoolWriter.Deferred(this.offset, this.length, this.keyOffset, this.keyLength, this.keySpan);
		}

	}

	/** Reads the records back. */
	final class Reader {

		private final ByteBuffer in = ByteBuffer.allocate(BUFFER_BYTES);

		private long position;

		private long left = DeferredLines.this.count;

		private Reader() {
			this.in.limit(0);
		}

		/** Fill {@code entry} with the next record; false after the last. */
		boolean next(Entry entry) throws IOException {
			if (this.left == 0) {
				return false;
			}
			if (this.in.remaining() < MAX_RECORD_BYTES) {
				this.in.compact();
				int read;
				while (this.in.hasRemaining() && (read = DeferredLines.this.channel.read(this.in, this.position)) > 0) {
					this.position += read;
				}
				this.in.flip();
			}
			this.left--;
			ByteBuffer in = this.in;
			entry.offset = in.getLong();
			entry.length = in.getInt();
			entry.keyOffset = in.getLong();
			entry.keyLength = in.getInt();
			entry.keySpan = in.getInt();
			int flags = in.get();
			entry.hasSeq = (flags & HAS_SEQ) != 0;
			if ((flags & HAS_ID) != 0) {
				entry.id = new IdKey(in.getLong(), in.getInt());
				entry.fingerprint = in.getLong();
			}
			else {
				entry.id = null;
				entry.fingerprint = LineResult.ANY_RECORD;
			}
			entry.source = in.getInt();
			entry.number = in.getLong();
			if (entry.hasSeq) {
				entry.op = Op.values()[in.get()];
				entry.at = Instant.ofEpochSecond(in.getLong(), in.getInt());
				byte[] template = new byte[in.getShort() & 0xffff];
				in.get(template);
				entry.template = new String(template, StandardCharsets.UTF_8);
			}
			else {
				entry.op = null;
				entry.at = null;
				entry.template = null;
			}
			return true;
		}

	}

}
