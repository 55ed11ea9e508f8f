package dev.kvbatch.stage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes spool files: one JSON object per line, first into
 * {@code stage-<epochMillis>-<random>.jsonl.tmp}, then renamed atomically to
 * {@code .jsonl} on {@link Batch#commit()}. A reader therefore sees a spool file whole or
 * not at all. The {@code .tmp} file is locked while it is written, so that prune can tell
 * a live stage run from a dead one's leftover ({@link #inUse}).
 * <p>
 * The first line is the header of kvbatch's own format ({@link SpoolFormat}); records
 * follow with the staging field names and kvbatch's own fields: <pre class="code">
 * {"kvbatchSpool":2,"owner":"5f0c2a9e1b7d4c36"}
 * {"op":"put","key":"a07","seq":7,"value":{"title":"Album"},"expiration":1767225600,"at":"2025-01-01T00:00:00Z","id":"x1","kind":"upload","stagedAt":"2025-01-01T00:00:00Z"}
 * {"op":"delete","key":"k","at":"2025-01-01T00:00:00Z","kind":"change","stagedAt":"2025-01-01T00:00:00Z"}
 * </pre> {@code value}, {@code expiration}, {@code id} and {@code seq} are left out when
 * absent. A rejection is written as <pre class="code">
 * {"deadLetter":{"source":"in.jsonl","line":3,"field":"ttl","reason":"must be at least 60 seconds, was 30","raw":"..."}}
 * </pre> with {@code "field":null} when the line as a whole was bad.
 * <p>
 * A record whose key or id is still to be resolved is written with its key template and
 * room after it ({@link Batch#appendDeferred}); once resolved, its key is patched in
 * place, or the whole line is blanked out (a retry, or a record refused), before the file
 * is committed. Blank lines are skipped when the file is read.
 * <p>
 * Thread-safe; each {@link Batch} is for one thread.
 */
public final class SpoolWriter {

	private static final String PREFIX = "stage-";

	static final String SUFFIX = ".jsonl";

	static final String TMP_SUFFIX = SUFFIX + ".tmp";

	/** The {@code .tmp} files this JVM is writing. */
	private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

	private final Path spoolDir;

	private final ObjectWriter writer;

	private final Clock clock;

	/**
	 * @param spoolDir the spool folder; created when the first batch is opened
	 * @param mapper writes the lines (indentation is switched off: one record per line)
	 * @param clock names the files, so that they sort in the order they were opened
	 */
	public SpoolWriter(Path spoolDir, JsonMapper mapper, Clock clock) {
		this.spoolDir = spoolDir;
		this.writer = mapper.writer().without(SerializationFeature.INDENT_OUTPUT).withRootValueSeparator((String) null);
		this.clock = clock;
	}

	/**
	 * Start a new spool file.
	 * @return the open batch; close it (try-with-resources) so that an uncommitted file
	 * is removed
	 * @throws IOException if the file cannot be created
	 */
	public Batch open() throws IOException {
		Files.createDirectories(this.spoolDir);
		while (true) {
			String name = PREFIX + this.clock.millis() + "-"
					+ String.format("%08x", ThreadLocalRandom.current().nextInt());
			Path tmp = this.spoolDir.resolve(name + TMP_SUFFIX);
			Path target = this.spoolDir.resolve(name + SUFFIX);
			if (Files.exists(target)) {
				continue;
			}
			FileChannel channel;
			try {
				channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
						StandardOpenOption.WRITE);
			}
			catch (FileAlreadyExistsException ex) {
				// Another batch drew the same name in the same millisecond: draw again.
				continue;
			}
			try {
				return new Batch(tmp, target, channel, this.writer);
			}
			catch (IOException | RuntimeException ex) {
				channel.close();
				Files.deleteIfExists(tmp);
				throw ex;
			}
		}
	}

	/**
	 * Open a scratch file beside a batch (a name ending in {@code .tmp}), locked like the
	 * batch's own {@code .tmp} file so that prune leaves it alone while it is used.
	 * Remove it with {@link #dropScratch}.
	 */
	static FileChannel openScratch(Path file) throws IOException {
		FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
				StandardOpenOption.WRITE);
		try {
			channel.lock();
			OPEN.add(file.toAbsolutePath().normalize());
			return channel;
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			Files.deleteIfExists(file);
			throw ex;
		}
	}

	/** Delete a scratch file of {@link #openScratch} and close it. */
	static void dropScratch(Path file, FileChannel channel) throws IOException {
		try {
			Files.deleteIfExists(file);
		}
		finally {
			channel.close();
			OPEN.remove(file.toAbsolutePath().normalize());
		}
	}

	/**
	 * Whether a {@code .tmp} file in the spool folder is being written: by this JVM, or
	 * by another process that holds its lock. A file that cannot be opened counts as in
	 * use.
	 */
	public static boolean inUse(Path tmp) {
		if (OPEN.contains(tmp.toAbsolutePath().normalize())) {
			return true;
		}
		try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
			FileLock lock = channel.tryLock();
			if (lock == null) {
				return true;
			}
			lock.release();
			return false;
		}
		catch (OverlappingFileLockException ex) {
			return true;
		}
		catch (IOException ex) {
			return !Files.notExists(tmp);
		}
	}

	/** Make a folder's entries (a new or renamed file) durable, where the OS allows. */
	static void forceDirectory(@Nullable Path dir) {
		if (dir == null) {
			// A path without a parent: there is no folder entry of ours to force.
			return;
		}
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException | RuntimeException ex) {
			// Some systems (Windows) cannot open a folder, and some file system providers
			// cannot force one; their rename is durable enough.
		}
	}

	/** Move {@code source} to {@code target} atomically where the file system can. */
	static void move(Path source, Path target) throws IOException {
		try {
			Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(source, target);
		}
	}

	/**
	 * One spool file being written. Appends stream to disk, so memory does not grow with
	 * the number of lines. Not thread-safe.
	 */
	public static final class Batch implements AutoCloseable {

		/**
		 * Room for each {@code {seq}} to grow to 19 digits, and for {@code ,"seq":<n>}.
		 */
		private static final int ROOM_PER_SEQ = 19 - RecordValidator.SEQ_PLACEHOLDER.length();

		private static final int SEQ_FIELD_ROOM = ",\"seq\":".length() + 19;

		private final Path tmp;

		private final Path target;

		private final FileChannel channel;

		private final CountingStream out;

		private final JsonGenerator json;

		private final long owner;

		private long lines;

		private long records;

		private boolean committed;

		private boolean closed;

		private Batch(Path tmp, Path target, FileChannel channel, ObjectWriter writer) throws IOException {
			this.tmp = tmp;
			this.target = target;
			this.channel = channel;
			// Released when the channel is closed: prune leaves a locked file alone.
			channel.lock();
			this.out = new CountingStream(Channels.newOutputStream(channel));
			long token = ThreadLocalRandom.current().nextLong();
			this.owner = (token != 0) ? token : 1;
			this.json = writer.createGenerator(this.out, JsonEncoding.UTF8);
			unwrap(() -> {
				this.json.writeRaw(SpoolFormat.header(this.owner));
				this.json.writeRaw('\n');
			});
			OPEN.add(tmp.toAbsolutePath().normalize());
		}

		/** The temporary file being written. */
		public Path tmpFile() {
			return this.tmp;
		}

		/** The name the file gets when committed. */
		public String name() {
			return this.target.getFileName().toString();
		}

		/** The owner token in the file's header. */
		public long owner() {
			return this.owner;
		}

		/** Records and dead letters appended so far, less lines blanked out. */
		public long lines() {
			return this.lines;
		}

		/** Records appended so far, less records blanked out. */
		public long records() {
			return this.records;
		}

		/**
		 * Append a staged record.
		 * @throws IllegalArgumentException if the record is not one
		 * {@link RecordValidator} could produce: a put without a value, a delete with
		 * one, or a value that is not on one line
		 * @throws IOException if the file cannot be written
		 */
		public void append(StagedRecord record) throws IOException {
			checkOpen();
			checkRecord(record);
			String value = record.valueJson();
			write(() -> {
				writeStart(record);
				this.json.writeStringProperty("key", record.key());
				if (record.seq() != null) {
					this.json.writeNumberProperty("seq", record.seq());
				}
				writeRest(record, value);
			});
			this.records++;
		}

		/**
		 * Append a record whose key template or id is still to be resolved: its key
		 * ({@code record.key()}, the template when {@code hasSeq}) is followed by room to
		 * write the final key and {@code seq} over it ({@link #resolveKey}).
		 * @return where the line and its key are, for {@link #resolveKey} and
		 * {@link #blank}
		 */
		public Deferred appendDeferred(StagedRecord record, boolean hasSeq) throws IOException {
			checkOpen();
			checkRecord(record);
			long room = hasSeq ? room(record.key()) : 0;
			long[] at = new long[3];
			write(() -> {
				at[0] = position();
				writeStart(record);
				this.json.writeName("key");
				at[1] = position();
				this.json.writeString(record.key());
				at[2] = position();
				if (room > 0) {
					// Whitespace between a value and the next comma is valid JSON.
					this.json.writeRaw(" ".repeat((int) room));
				}
				writeRest(record, record.valueJson());
			});
			this.records++;
			// The colon before the key's value is written with it: the key starts after
			// it.
			long keyLength = at[2] - at[1] - 1;
			return new Deferred(at[0], position() - 1 - at[0], at[1] + 1, keyLength, keyLength + room);
		}

		/**
		 * Room for each {@code {seq}} of a template to become 19 digits, and for the seq
		 * field.
		 */
		private static long room(String template) {
			long placeholders = (template.length() - template.replace(RecordValidator.SEQ_PLACEHOLDER, "").length())
					/ RecordValidator.SEQ_PLACEHOLDER.length();
			return placeholders * ROOM_PER_SEQ + SEQ_FIELD_ROOM;
		}

		/**
		 * Write the final key over a deferred record's template, with the value
		 * {@code {seq}} got.
		 */
		public void resolveKey(Deferred line, long seq) throws IOException {
			checkOpen();
			String template = new String(read(line.keyOffset(), (int) line.keyLength()), StandardCharsets.UTF_8);
			// In the JSON text of the template, {seq} is written as it is and nothing
			// else reads as it, so the text can be patched without parsing it again.
			String patch = template.replace(RecordValidator.SEQ_PLACEHOLDER, RecordValidator.formatSeq(seq))
					+ ",\"seq\":" + seq;
			byte[] bytes = patch.getBytes(StandardCharsets.UTF_8);
			if (bytes.length > line.keySpan()) {
				throw new IllegalStateException("no room for the key " + patch + " in " + this.tmp.getFileName());
			}
			byte[] span = Arrays.copyOf(bytes, (int) line.keySpan());
			Arrays.fill(span, bytes.length, span.length, (byte) ' ');
			writeAt(line.keyOffset(), span);
		}

		/**
		 * Blank a deferred record's line out: spaces over it, so that it is skipped when
		 * the file is read.
		 */
		public void blank(Deferred line) throws IOException {
			checkOpen();
			long remaining = line.length();
			long at = line.offset();
			byte[] spaces = new byte[(int) Math.min(remaining, 64 * 1024)];
			Arrays.fill(spaces, (byte) ' ');
			while (remaining > 0) {
				int n = (int) Math.min(remaining, spaces.length);
				writeAt(at, (n == spaces.length) ? spaces : Arrays.copyOf(spaces, n));
				at += n;
				remaining -= n;
			}
			this.records--;
			this.lines--;
		}

		/** A deferred record's key as written: its JSON string, quotes included. */
		public String readKey(Deferred line) throws IOException {
			checkOpen();
			return new String(read(line.keyOffset(), (int) line.keyLength()), StandardCharsets.UTF_8);
		}

		/** A deferred record's line as written, for the checks of its final key. */
		public String read(Deferred line) throws IOException {
			checkOpen();
			return new String(read(line.offset(), (int) line.length()), StandardCharsets.UTF_8);
		}

		/**
		 * Make every line appended so far readable and patchable in the file. Called
		 * before the first {@link #resolveKey}, {@link #blank} or {@link #read}.
		 */
		public void flush() throws IOException {
			checkOpen();
			unwrap(this.json::flush);
		}

		private void writeStart(StagedRecord record) {
			this.json.writeStartObject();
			this.json.writeStringProperty("op", record.op().name().toLowerCase(Locale.ROOT));
		}

		private void writeRest(StagedRecord record, @Nullable String value) {
			{
				if (value != null) {
					this.json.writeName("value");
					this.json.writeRawValue(value);
					if (record.base64()) {
						this.json.writeBooleanProperty("base64", true);
					}
				}
				if (record.expiresAt() != null) {
					this.json.writeNumberProperty("expiration", record.expiresAt());
				}
				this.json.writeStringProperty("at", record.at().toString());
				if (record.id() != null) {
					this.json.writeStringProperty("id", record.id());
				}
				this.json.writeStringProperty("kind", record.kind().name().toLowerCase(Locale.ROOT));
				this.json.writeStringProperty("stagedAt", record.stagedAt().toString());
				this.json.writeEndObject();
			}
		}

		private void checkRecord(StagedRecord record) {
			String value = record.valueJson();
			if ((record.op() == Op.PUT) != (value != null)) {
				throw new IllegalArgumentException("A put needs a value and a delete must not have one: " + record);
			}
			if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
				throw new IllegalArgumentException("The value of " + record.key() + " is not on one line");
			}
		}

		/** The byte offset in the file where the next write goes. */
		private long position() {
			return this.out.count + this.json.streamWriteOutputBuffered();
		}

		private byte[] read(long offset, int length) throws IOException {
			ByteBuffer buffer = ByteBuffer.allocate(length);
			while (buffer.hasRemaining()) {
				if (this.channel.read(buffer, offset + buffer.position()) < 0) {
					throw new IOException(
							"The spool file " + this.tmp.getFileName() + " ends before byte " + (offset + length));
				}
			}
			return buffer.array();
		}

		private void writeAt(long offset, byte[] bytes) throws IOException {
			ByteBuffer buffer = ByteBuffer.wrap(bytes);
			while (buffer.hasRemaining()) {
				this.channel.write(buffer, offset + buffer.position());
			}
		}

		/**
		 * Append a rejection as a dead-letter line.
		 * @throws IOException if the file cannot be written
		 */
		public void append(Rejection rejection) throws IOException {
			checkOpen();
			write(() -> {
				// Texts are sanitised: a cut line may end in half a surrogate pair,
				// which UTF-8 cannot hold and which would spoil the whole line.
				this.json.writeStartObject();
				this.json.writeName("deadLetter");
				this.json.writeStartObject();
				this.json.writeStringProperty("source", Text.sanitize(rejection.source()));
				this.json.writeNumberProperty("line", rejection.line());
				String field = rejection.field();
				if (field != null) {
					this.json.writeStringProperty("field", Text.sanitize(field));
				}
				else {
					this.json.writeNullProperty("field");
				}
				this.json.writeStringProperty("reason", Text.sanitize(rejection.reason()));
				this.json.writeStringProperty("raw", Text.sanitize(rejection.raw()));
				this.json.writeEndObject();
				this.json.writeEndObject();
			});
		}

		/**
		 * Flush and force the file to disk, then rename it atomically to its
		 * {@code .jsonl} name.
		 * @return the committed spool file
		 * @throws IOException if any step fails; the batch is then closed and its
		 * temporary file removed
		 */
		public Path commit() throws IOException {
			checkOpen();
			try {
				unwrap(this.json::flush);
				this.channel.force(true);
				this.json.close();
				move(this.tmp, this.target);
				this.committed = true;
			}
			finally {
				close();
			}
			forceDirectory(this.target.getParent());
			return this.target;
		}

		/** Discard the batch unless it was committed. Idempotent. */
		@Override
		public void close() throws IOException {
			if (this.closed) {
				return;
			}
			this.closed = true;
			try {
				this.json.close();
			}
			catch (JacksonException ex) {
				// Discarding anyway; the file is deleted below.
			}
			finally {
				try {
					if (!this.committed) {
						// Deleted while still locked, so prune never sees it unlocked.
						Files.deleteIfExists(this.tmp);
					}
				}
				finally {
					this.channel.close();
					OPEN.remove(this.tmp.toAbsolutePath().normalize());
				}
			}
		}

		private void checkOpen() {
			if (this.closed) {
				throw new IllegalStateException("The batch " + this.tmp.getFileName() + " is already "
						+ (this.committed ? "committed" : "closed"));
			}
		}

		private void write(JsonWrite line) throws IOException {
			unwrap(() -> {
				line.run();
				this.json.writeRaw('\n');
			});
			this.lines++;
		}

		private static void unwrap(JsonWrite write) throws IOException {
			try {
				write.run();
			}
			catch (JacksonException ex) {
				// Jackson wraps I/O errors unchecked; give the caller the IOException.
				IOException io = findIoCause(ex);
				if (io != null) {
					throw io;
				}
				throw ex;
			}
		}

		private static @Nullable IOException findIoCause(Throwable ex) {
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				if (cause instanceof IOException io) {
					return io;
				}
			}
			return null;
		}

	}

	/**
	 * Where a deferred record's line is in the file.
	 *
	 * @param offset the line's first byte
	 * @param length its bytes, without the line break
	 * @param keyOffset the first byte of its key, the opening quote
	 * @param keyLength the key's bytes as written, quotes included
	 * @param keySpan the key's bytes and the room after it
	 */
	public record Deferred(long offset, long length, long keyOffset, long keyLength, long keySpan) {
	}

	/** Counts the bytes that reach the file. */
	private static final class CountingStream extends FilterOutputStream {

		long count;

		CountingStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(int b) throws IOException {
			this.out.write(b);
			this.count++;
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.out.write(b, off, len);
			this.count += len;
		}

	}

	@FunctionalInterface
	private interface JsonWrite {

		void run() throws JacksonException;

	}

}
