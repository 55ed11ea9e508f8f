package dev.kvbatch.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.pack.RawBytes;
import dev.kvbatch.stage.InputLine;
import dev.kvbatch.stage.LineResult;
import dev.kvbatch.stage.LinePosition;
import dev.kvbatch.stage.Op;
import dev.kvbatch.stage.RecordValidator;
import dev.kvbatch.stage.SpoolFormat;
import dev.kvbatch.stage.SpoolLine;
import dev.kvbatch.stage.SpoolReader;
import dev.kvbatch.stage.StagedRecord;
import org.jspecify.annotations.Nullable;

/**
 * The newest staged state of each logical key whose spool file ingest has not loaded yet:
 * what a read answers before the outbox knows the write. Filled from every spool file
 * committed through the API, and at start-up from every committed file in the spool
 * folder (so a restart, also after {@code kill -9}, reads its acknowledged writes at
 * once). An entry counts only while its file is still in the spool folder: ingest moves a
 * file to {@code done/} only after its lines are committed to the outbox, so a read that
 * finds the file gone finds the write in the outbox.
 * <p>
 * Bounded: values up to {@link #INLINE_BYTES} are held in memory; larger ones are read
 * back from their spool file when asked for. Entries of files that are gone are dropped
 * when {@link #backlog()} notices. Thread-safe.
 */
final class PendingSpool {

	/** Values held in memory; larger ones stay in their spool file. */
	static final int INLINE_BYTES = 16 * 1024;

	private final SpoolReader reader;

	private final RecordValidator validator;

	private final Clock clock;

	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	/** Records of each pending file. */
	private final Map<Path, Long> files = new ConcurrentHashMap<>();

	private final AtomicLong order = new AtomicLong();

	PendingSpool(SpoolReader reader, RecordValidator validator, Clock clock) {
		this.reader = reader;
		this.validator = validator;
		this.clock = clock;
	}

	/** Index every committed file of the spool folder, oldest first. */
	void indexFolder() throws IOException {
		for (Path file : this.reader.readyFiles()) {
			try {
				index(file);
			}
			catch (NoSuchFileException ex) {
				// Ingested meanwhile: the outbox has it.
			}
		}
	}

	/**
	 * Index one committed spool file: its records become the newest state of their keys.
	 * Called by one thread at a time, in commit order.
	 */
	void index(Path file) throws IOException {
		SpoolFormat.Kind kind = SpoolFormat.kind(file);
		String source = file.getFileName().toString();
		long[] count = new long[1];
		LinePosition[] before = { LinePosition.START };
		this.reader.forEachLine(file, LinePosition.START, 0, (InputLine line, LinePosition after) -> {
			SpoolLine parsed = this.reader.parse(source, line, this.validator, this.clock.instant(), kind);
			if (parsed instanceof LineResult.Accepted accepted && accepted.keyTemplate() == null) {
				StagedRecord record = accepted.record();
				String value = record.valueJson();
				boolean inline = value == null || value.length() <= INLINE_BYTES;
				Entry entry = new Entry(this.order.incrementAndGet(), file, record.op(), inline ? value : null,
						inline ? -1 : before[0].offset(), record.expiresAt(), record.at(), record.base64());
				this.entries.merge(record.key(), entry, (old, fresh) -> (fresh.order > old.order) ? fresh : old);
				count[0]++;
			}
			before[0] = after;
		});
		this.files.merge(file, count[0], Long::sum);
	}

	/**
	 * The pending state of a key, or {@code null} when no pending spool file holds it.
	 */
	@Nullable State find(String key) throws IOException {
		Entry entry = this.entries.get(key);
		if (entry == null) {
			return null;
		}
		if (!Files.exists(entry.file)) {
			this.entries.remove(key, entry);
			return null;
		}
		if (entry.op == Op.DELETE) {
			return State.DELETED;
		}
		String value = entry.value;
		if (value == null) {
			try {
				value = readValue(entry);
			}
			catch (NoSuchFileException ex) {
				this.entries.remove(key, entry);
				return null;
			}
		}
		return new State(value, entry.expiresAt, entry.base64);
	}

	/**
	 * The pending keys with their event time, oldest write first, for a read of the
	 * physical key some of them land in.
	 */
	void forEachKey(BiConsumer<String, Instant> action) {
		this.entries.entrySet()
			.stream()
			.filter((entry) -> Files.exists(entry.getValue().file))
			.sorted(Comparator.comparingLong((Map.Entry<String, Entry> entry) -> entry.getValue().order))
			.forEach((entry) -> action.accept(entry.getKey(), entry.getValue().at));
	}

	/**
	 * The pending keys starting with {@code prefix} and after {@code after}, with whether
	 * each is a put.
	 */
	Map<String, Boolean> keys(String prefix, String after) {
		Map<String, Boolean> keys = new java.util.TreeMap<>();
		this.entries.forEach((key, entry) -> {
			if (key.startsWith(prefix) && key.compareTo(after) > 0 && Files.exists(entry.file)) {
				keys.put(key, entry.op == Op.PUT);
			}
		});
		return keys;
	}

	/**
	 * Records in spool files not yet ingested; drops the entries of files ingest has
	 * taken.
	 */
	long backlog() {
		long pending = 0;
		for (Map.Entry<Path, Long> file : this.files.entrySet()) {
			if (Files.exists(file.getKey())) {
				pending += file.getValue();
			}
			else if (this.files.remove(file.getKey(), file.getValue())) {
				this.entries.values().removeIf((entry) -> entry.file.equals(file.getKey()));
			}
		}
		return pending;
	}

	private String readValue(Entry entry) throws IOException {
		String source = entry.file.getFileName().toString();
		SpoolFormat.Kind kind = SpoolFormat.kind(entry.file);
		String[] value = new String[1];
		try {
			this.reader.forEachLine(entry.file, new LinePosition(0, entry.offset), 0, (line, after) -> {
				if (this.reader.parse(source, line, this.validator, this.clock.instant(),
						kind) instanceof LineResult.Accepted accepted) {
					value[0] = accepted.record().valueJson();
				}
				throw new Stop();
			});
		}
		catch (Stop ex) {
			// Read the one line.
		}
		if (value[0] == null) {
			throw new IOException("spool file " + source + " no longer holds the value at byte " + entry.offset);
		}
		return value[0];
	}

	/**
	 * A key's staged state: its value as JSON text and expiration, or {@link #DELETED}.
	 * When {@code base64}, the value is raw bytes, held as a JSON string of their base64
	 * ({@link RawBytes}).
	 */
	record State(@Nullable String valueJson, @Nullable Long expiresAt, boolean base64) {

		static final State DELETED = new State(null, null);

		State(@Nullable String valueJson, @Nullable Long expiresAt) {
			this(valueJson, expiresAt, false);
		}

		/** The state of a value KV holds: its text, or its raw bytes. */
		static State of(KvTarget.StoredValue stored) {
			return stored.base64() ? new State("\"" + stored.value() + "\"", stored.expiration(), true)
					: new State(stored.value(), stored.expiration());
		}

		/** The state of a physical value as compress will write it. */
		static State of(PhysicalValue value) {
			return value.base64() ? new State("\"" + value.value() + "\"", value.expiresAt(), true)
					: new State(value.value(), value.expiresAt());
		}

		/** The bytes a read answers for a state that is not {@link #deleted()}. */
		byte[] bytes() {
			return this.base64 ? RawBytes.decodeJson(value()) : value().getBytes(StandardCharsets.UTF_8);
		}

		boolean deleted() {
			return this.valueJson == null;
		}

		/** The value of a state that is not {@link #deleted()}. */
		String value() {
			if (this.valueJson == null) {
				throw new IllegalStateException("a deleted key has no value");
			}
			return this.valueJson;
		}

	}

	private record Entry(long order, Path file, Op op, @Nullable String value, long offset, @Nullable Long expiresAt,
			Instant at, boolean base64) {
	}

	private static final class Stop extends IOException {

		Stop() {
			super(null, null);
		}

	}

}
