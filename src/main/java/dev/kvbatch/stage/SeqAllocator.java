package dev.kvbatch.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The local sequence behind {@code {seq}} keys, kept as decimal text in one file (for
 * example {@code <data-dir>/seq}).
 * <p>
 * Thread-safe, and safe across processes: every call takes an exclusive
 * {@link FileChannel#lock() file lock}, so two processes staging at once never get the
 * same value. Within one JVM, all instances for the same (normalised) path share a lock,
 * because a JVM cannot hold two locks on one file.
 * <p>
 * Durable: {@link #next()} writes and forces the new value before returning it, so a
 * value is never handed out twice, even across a crash. A crash may lose values that were
 * handed out but never used (gaps), which is fine. A {@link Lease} hands out the values
 * of a whole stage run under one hold of the lock, with two forced writes in all.
 */
public final class SeqAllocator {

	/** One lock per file for this JVM; file locks are per process, not per thread. */
	private static final ConcurrentMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

	/** More than any long needs: longer content means the file is not ours. */
	private static final int MAX_FILE_BYTES = 64;

	private final Path file;

	private final ReentrantLock lock;

	private final long startAfter;

	/**
	 * @param file the sequence file; it and its folder are created by the first
	 * {@link #next()}
	 */
	public SeqAllocator(Path file) {
		this(file, 0);
	}

	/**
	 * @param file the sequence file; it and its folder are created by the first
	 * {@link #next()}
	 * @param startAfter values already in use before kvbatch (an app's own counter): the
	 * sequence never hands out a value at or below it
	 */
	public SeqAllocator(Path file, long startAfter) {
		this.file = file.toAbsolutePath().normalize();
		this.lock = LOCKS.computeIfAbsent(this.file, (key) -> new ReentrantLock());
		this.startAfter = startAfter;
	}

	/** The sequence file. */
	public Path file() {
		return this.file;
	}

	/**
	 * Allocate the next value: one more than the high-water mark (or than
	 * {@code startAfter}, if larger); 1 for a new file.
	 * @return the allocated value, already durable
	 * @throws UncheckedIOException if the file cannot be read or written
	 * @throws IllegalStateException if the file holds something other than a number
	 */
	public long next() {
		this.lock.lock();
		try {
			try {
				Files.createDirectories(this.file.getParent());
				try (FileChannel channel = FileChannel.open(this.file, StandardOpenOption.CREATE,
						StandardOpenOption.READ, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
					long current = read(channel);
					long next = Math.addExact(Math.max(current, this.startAfter), 1);
					write(channel, next);
					if (current == 0) {
						// The file may be new: make its directory entry durable too, or a
						// crash could bring back an empty sequence and repeat values.
						SpoolWriter.forceDirectory(this.file.getParent());
					}
					return next;
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot allocate a sequence value in " + this.file, ex);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Hold the sequence for up to {@code most} values: the file is set past all of them,
	 * durably, before the first is handed out, so that even after a crash no other
	 * process gets one of them; {@link Lease#close()} sets it back to the last value
	 * really used, so values that were not needed leave no gap. Every other caller, in
	 * this JVM or another process, waits until the lease is closed: keep it short.
	 * @param most the most values the lease may hand out
	 * @throws UncheckedIOException if the file cannot be read or written
	 * @throws IllegalStateException if the file holds something other than a number
	 */
	public Lease lease(long most) {
		return new Lease(most);
	}

	/**
	 * The high-water mark: the last value handed out by any process, or 0 if none was.
	 * @throws UncheckedIOException if the file cannot be read
	 * @throws IllegalStateException if the file holds something other than a number
	 */
	public long current() {
		this.lock.lock();
		try {
			try (FileChannel channel = FileChannel.open(this.file, StandardOpenOption.READ);
					FileLock lock = channel.lock(0, Long.MAX_VALUE, true)) {
				return Math.max(read(channel), this.startAfter);
			}
			catch (NoSuchFileException ex) {
				return this.startAfter;
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot read the sequence in " + this.file, ex);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private long read(FileChannel channel) throws IOException {
		long size = channel.size();
		if (size > MAX_FILE_BYTES) {
			throw corrupt("is " + size + " bytes long");
		}
		ByteBuffer buffer = ByteBuffer.allocate((int) size);
		while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
			// read until full
		}
		String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
		if (text.isEmpty()) {
			return 0;
		}
		try {
			long value = Long.parseLong(text);
			if (value < 0) {
				throw corrupt("holds " + text);
			}
			return value;
		}
		catch (NumberFormatException ex) {
			throw corrupt("holds \"" + Text.cut(text, 20) + "\"");
		}
	}

	private void write(FileChannel channel, long value) throws IOException {
		// The new value is never shorter than the old one, so writing over it in place
		// leaves no stale digits; one small write at offset 0 does not tear in practice.
		ByteBuffer buffer = ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII));
		while (buffer.hasRemaining()) {
			channel.write(buffer, buffer.position());
		}
		channel.truncate(buffer.limit());
		channel.force(true);
	}

	/**
	 * Writes {@code value} over the file's content in place. A value shorter than the old
	 * text is padded with spaces, so a crash before the truncation leaves no stale
	 * digits.
	 */
	private static void writePadded(FileChannel channel, long value) throws IOException {
		String digits = Long.toString(value);
		int old = (int) Math.min(channel.size(), MAX_FILE_BYTES);
		String text = digits + " ".repeat(Math.max(0, old - digits.length() - 1)) + "\n";
		ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
		while (buffer.hasRemaining()) {
			channel.write(buffer, buffer.position());
		}
		channel.truncate(digits.length() + 1L);
		channel.force(true);
	}

	private static void closeQuietly(@Nullable FileChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// nothing left to release
			}
		}
	}

	/**
	 * The values of the sequence a run hands out under one hold of its lock. Not
	 * thread-safe: the thread that opened a lease uses it and closes it.
	 */
	public final class Lease implements AutoCloseable, SeqValues {

		private final FileChannel channel;

		private final long base;

		private final long most;

		private long used;

		private boolean closed;

		private Lease(long most) {
			SeqAllocator.this.lock.lock();
			FileChannel opened = null;
			try {
				Files.createDirectories(SeqAllocator.this.file.getParent());
				opened = FileChannel.open(SeqAllocator.this.file, StandardOpenOption.CREATE, StandardOpenOption.READ,
						StandardOpenOption.WRITE);
				// Released when the channel closes.
				opened.lock();
				long current = read(opened);
				this.base = Math.max(current, SeqAllocator.this.startAfter);
				this.most = most;
				this.channel = opened;
				if (most > 0) {
					writePadded(opened, Math.addExact(this.base, most));
					if (current == 0) {
						SpoolWriter.forceDirectory(SeqAllocator.this.file.getParent());
					}
				}
			}
			catch (IOException ex) {
				closeQuietly(opened);
				SeqAllocator.this.lock.unlock();
				throw new UncheckedIOException("Cannot lease sequence values in " + SeqAllocator.this.file, ex);
			}
			catch (RuntimeException ex) {
				closeQuietly(opened);
				SeqAllocator.this.lock.unlock();
				throw ex;
			}
		}

		/**
		 * The next value.
		 * @throws IllegalStateException once the lease's values are all handed out
		 */
		@Override
		public long next() {
			if (this.used == this.most) {
				throw new IllegalStateException("The lease of " + this.most + " sequence values is spent");
			}
			this.used++;
			return this.base + this.used;
		}

		/**
		 * Take back the value {@link #next()} gave last, when its record was refused: the
		 * next record gets it, so a refused record leaves no gap.
		 */
		@Override
		public void giveBack(long value) {
			if (this.used > 0 && value == this.base + this.used) {
				this.used--;
			}
		}

		/**
		 * Set the file to the last value handed out, durably, and release the sequence.
		 * Idempotent.
		 * @throws UncheckedIOException if the file cannot be written; it then keeps the
		 * lease's highest value (a gap, never a repeat)
		 */
		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			this.closed = true;
			try {
				if (this.most > 0 && this.used < this.most) {
					writePadded(this.channel, this.base + this.used);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot write the sequence in " + SeqAllocator.this.file, ex);
			}
			finally {
				closeQuietly(this.channel);
				SeqAllocator.this.lock.unlock();
			}
		}

	}

	private IllegalStateException corrupt(String what) {
		// Never restart from 0 on a damaged file: that would repeat values.
		return new IllegalStateException("The sequence file " + this.file + " " + what
				+ "; expected the last value as decimal digits. Fix or restore it before staging again.");
	}

}
