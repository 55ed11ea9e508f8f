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

/**
 * The local sequence behind {@code {seq}} keys, kept as decimal text in one file (for
 * example {@code <data-dir>/seq}).
 * <p>
 * Thread-safe, and safe across processes: every call takes an exclusive
 * {@link FileChannel#lock() file lock}, so two processes staging at once never get the
 * same value. Within one JVM, all instances for the same (normalised) path share a
 * monitor, because a JVM cannot hold two locks on one file.
 * <p>
 * Durable: {@link #next()} writes and forces the new value before returning it, so a
 * value is never handed out twice, even across a crash. A crash may lose values that were
 * handed out but never used (gaps), which is fine.
 */
public final class SeqAllocator {

	/** One monitor per file for this JVM; file locks are per process, not per thread. */
	private static final ConcurrentMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

	/** More than any long needs: longer content means the file is not ours. */
	private static final int MAX_FILE_BYTES = 64;

	private final Path file;

	private final Object monitor;

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
		this.monitor = MONITORS.computeIfAbsent(this.file, (key) -> new Object());
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
		synchronized (this.monitor) {
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
	}

	/**
	 * The high-water mark: the last value handed out by any process, or 0 if none was.
	 * @throws UncheckedIOException if the file cannot be read
	 * @throws IllegalStateException if the file holds something other than a number
	 */
	public long current() {
		synchronized (this.monitor) {
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

	private IllegalStateException corrupt(String what) {
		// Never restart from 0 on a damaged file: that would repeat values.
		return new IllegalStateException("The sequence file " + this.file + " " + what
				+ "; expected the last value as decimal digits. Fix or restore it before staging again.");
	}

}
