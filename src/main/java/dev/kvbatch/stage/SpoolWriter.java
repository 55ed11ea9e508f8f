package dev.kvbatch.stage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Locale;
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
 * not at all.
 * <p>
 * A staged record is written with the staging field names, so a spool file is itself
 * valid staging input: <pre class="code">
 * {"op":"put","key":"a07","value":{"title":"Album"},"expiration":1767225600,"at":"2025-01-01T00:00:00Z","id":"x1","kind":"upload","seq":7,"stagedAt":"2025-01-01T00:00:00Z"}
 * {"op":"delete","key":"k","at":"2025-01-01T00:00:00Z","kind":"change","stagedAt":"2025-01-01T00:00:00Z"}
 * </pre> {@code value}, {@code expiration}, {@code id} and {@code seq} are left out when
 * absent. A rejection is written as <pre class="code">
 * {"deadLetter":{"source":"in.jsonl","line":3,"field":"ttl","reason":"must be at least 60 seconds, was 30","raw":"..."}}
 * </pre> with {@code "field":null} when the line as a whole was bad.
 * <p>
 * Thread-safe; each {@link Batch} is for one thread.
 */
public final class SpoolWriter {

	private static final String PREFIX = "stage-";

	static final String SUFFIX = ".jsonl";

	static final String TMP_SUFFIX = SUFFIX + ".tmp";

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
			try {
				FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				return new Batch(tmp, target, channel, this.writer);
			}
			catch (FileAlreadyExistsException ex) {
				// Another batch drew the same name in the same millisecond: draw again.
			}
		}
	}

	/** Make a folder's entries (a new or renamed file) durable, where the OS allows. */
	static void forceDirectory(Path dir) {
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException | UnsupportedOperationException ex) {
			// Some systems (Windows) cannot open a folder; their rename is durable
			// enough.
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

		private final Path tmp;

		private final Path target;

		private final FileChannel channel;

		private final JsonGenerator json;

		private long lines;

		private boolean committed;

		private boolean closed;

		private Batch(Path tmp, Path target, FileChannel channel, ObjectWriter writer) throws IOException {
			this.tmp = tmp;
			this.target = target;
			this.channel = channel;
			OutputStream out = Channels.newOutputStream(channel);
			try {
				this.json = writer.createGenerator(out, JsonEncoding.UTF8);
			}
			catch (JacksonException ex) {
				channel.close();
				Files.deleteIfExists(tmp);
				throw ex;
			}
		}

		/** The temporary file being written. */
		public Path tmpFile() {
			return this.tmp;
		}

		/** Lines appended so far. */
		public long lines() {
			return this.lines;
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
			String value = record.valueJson();
			if ((record.op() == Op.PUT) != (value != null)) {
				throw new IllegalArgumentException("A put needs a value and a delete must not have one: " + record);
			}
			if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
				throw new IllegalArgumentException("The value of " + record.key() + " is not on one line");
			}
			write(() -> {
				this.json.writeStartObject();
				this.json.writeStringProperty("op", record.op().name().toLowerCase(Locale.ROOT));
				this.json.writeStringProperty("key", record.key());
				if (value != null) {
					this.json.writeName("value");
					this.json.writeRawValue(value);
				}
				if (record.expiresAt() != null) {
					this.json.writeNumberProperty("expiration", record.expiresAt());
				}
				this.json.writeStringProperty("at", record.at().toString());
				if (record.id() != null) {
					this.json.writeStringProperty("id", record.id());
				}
				this.json.writeStringProperty("kind", record.kind().name().toLowerCase(Locale.ROOT));
				if (record.seq() != null) {
					this.json.writeNumberProperty("seq", record.seq());
				}
				this.json.writeStringProperty("stagedAt", record.stagedAt().toString());
				this.json.writeEndObject();
			});
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
				this.channel.close();
				if (!this.committed) {
					Files.deleteIfExists(this.tmp);
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

	@FunctionalInterface
	private interface JsonWrite {

		void run() throws JacksonException;

	}

}
