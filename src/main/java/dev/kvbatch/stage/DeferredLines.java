package dev.kvbatch.stage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The records of a stage run that still need resolving, kept in a scratch file beside the
 * spool file (where each one's line is, its id key, fingerprint and key template), so
 * that memory does not grow with them. Written while the input is read, then read back
 * once, in order. Not thread-safe.
 */
final class DeferredLines implements Closeable {

	private static final int HAS_SEQ = 1;

	private static final int HAS_ID = 2;

	private final Path file;

	private final FileChannel channel;

	private final DataOutputStream out;

	private long count;

	private long withSeq;

	private long withId;

	DeferredLines(Path file) throws IOException {
		this.file = file;
		this.channel = SpoolWriter.openScratch(file);
		this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(this.channel), 64 * 1024));
	}

	/** Keep one record. */
	void add(SpoolWriter.Deferred line, LineResult.Accepted accepted, int source, long number) throws IOException {
		IdKey id = accepted.idKey();
		boolean hasSeq = accepted.keyTemplate() != null;
		this.out.writeLong(line.offset());
		this.out.writeLong(line.length());
		this.out.writeLong(line.keyOffset());
		this.out.writeLong(line.keyLength());
		this.out.writeLong(line.keySpan());
		this.out.writeByte((hasSeq ? HAS_SEQ : 0) | ((id != null) ? HAS_ID : 0));
		if (id != null) {
			this.out.writeLong(id.high());
			this.out.writeInt(id.low());
			this.out.writeLong(accepted.fingerprint());
		}
		this.out.writeInt(source);
		this.out.writeLong(number);
		this.out.writeByte(accepted.record().op().ordinal());
		this.out.writeLong(accepted.record().at().toEpochMilli());
		this.out.writeUTF(accepted.record().key());
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
		this.out.flush();
		this.channel.position(0);
		return new Reader(
				new DataInputStream(new BufferedInputStream(Channels.newInputStream(this.channel), 64 * 1024)));
	}

	@Override
	public void close() throws IOException {
		SpoolWriter.dropScratch(this.file, this.channel);
	}

	/**
	 * One record to resolve.
	 *
	 * @param line where it is in the spool file
	 * @param hasSeq whether its key holds {@code {seq}}
	 * @param id its id's key, or {@code null}
	 * @param fingerprint its fingerprint
	 * @param source which input it came from
	 * @param number its line in that input
	 * @param op put or delete
	 * @param at its event time
	 * @param key its key as written
	 */
	record Entry(SpoolWriter.Deferred line, boolean hasSeq, @Nullable IdKey id, long fingerprint, int source,
			long number, Op op, Instant at, String key) {
	}

	/** Reads the records back. */
	static final class Reader {

		private final DataInputStream in;

		private Reader(DataInputStream in) {
			this.in = in;
		}

		/** The next record, or {@code null} after the last. */
		@Nullable Entry next() throws IOException {
			long offset;
			try {
				offset = this.in.readLong();
			}
			catch (EOFException ex) {
				return null;
			}
			SpoolWriter.Deferred line = new SpoolWriter.Deferred(offset, this.in.readLong(), this.in.readLong(),
					this.in.readLong(), this.in.readLong());
			int flags = this.in.readByte();
			IdKey id = null;
			long fingerprint = LineResult.ANY_RECORD;
			if ((flags & HAS_ID) != 0) {
				id = new IdKey(this.in.readLong(), this.in.readInt());
				fingerprint = this.in.readLong();
			}
			int source = this.in.readInt();
			long number = this.in.readLong();
			Op op = Op.values()[this.in.readByte()];
			Instant at = Instant.ofEpochMilli(this.in.readLong());
			return new Entry(line, (flags & HAS_SEQ) != 0, id, fingerprint, source, number, op, at, this.in.readUTF());
		}

	}

}
