package dev.kvbatch.stage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * The slots of the file idempotency index: an open-addressing hash table with linear
 * probing, in one memory-mapped file ({@code table-<generation>}) of a 4 KiB header and
 * fixed 48-byte slots. Lookups and inserts touch a slot or a few, so their cost does not
 * grow with the table, and the table lives in the page cache, not on the heap.
 * <p>
 * Crash-safe without a journal: a slot is written field by field and published last by
 * one aligned 8-byte write of its state, so a process killed in the middle leaves it
 * empty (or as it was). Removed slots become tombstones, which lookups step over; the
 * table is rebuilt into a new generation (written aside, then renamed) when live slots
 * and tombstones fill 70 % of it.
 * <p>
 * Not thread-safe, and not safe across processes on its own: the caller holds the index
 * lock for every call.
 */
final class IdTable implements Closeable {

	static final byte EMPTY = 0;

	/** A staged (or, during its session, a being-staged) record's id. */
	static final byte OCCUPIED = 1;

	/** The id of a record whose stage run died before committing: not staged. */
	static final byte VOID = 2;

	/** A removed slot: lookups go on past it, inserts may reuse it. */
	static final byte TOMBSTONE = 3;

	static final int HEADER_BYTES = 4096;

	static final int SLOT_BYTES = 48;

	static final int MIN_CAPACITY = 1 << 12;

	static final int MAX_NAME_BYTES = 255;

	private static final long MAGIC = 0x4b56424944533031L; // "KVBIDS01"

	private static final int CHUNK_SLOTS = 1 << 16;

	private static final double MAX_LOAD = 0.7;

	private static final double REBUILT_LOAD = 0.35;

	private static final long LINE_MASK = (1L << 56) - 1;

	private static final Pattern NAME = Pattern.compile("table-(\\d+)");

	// Header fields
	private static final int CAPACITY = 8;

	private static final int USED = 16;

	private static final int LIVE = 24;

	private static final int IN_PROGRESS = 32;

	private static final int IN_PROGRESS_NAME = 40;

	// Slot fields
	private static final int KEY_HIGH = 0;

	private static final int KEY_LOW = 8;

	private static final int TIME = 12;

	private static final int FINGERPRINT = 16;

	private static final int SEQ = 24;

	private static final int OWNER = 32;

	private static final int STATE_AND_LINE = 40;

	private final Path dir;

	private final int generation;

	private final FileChannel channel;

	private final MappedByteBuffer header;

	private final MappedByteBuffer[] chunks;

	private final long capacity;

	private final long mask;

	private final int chunkSlots;

	private final int chunkShift;

	private final long chunkMask;

	private final BitSet dirty = new BitSet();

	private boolean headerDirty;

	private IdTable(Path dir, int generation, FileChannel channel) throws IOException {
		this.dir = dir;
		this.generation = generation;
		this.channel = channel;
		this.header = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
		if (this.header.getLong(0) != MAGIC) {
			throw new IOException("The idempotency index " + file(dir, generation)
					+ " is not one kvbatch wrote (wrong header); move it away to start an empty index");
		}
		this.capacity = this.header.getLong(CAPACITY);
		if (Long.bitCount(this.capacity) != 1 || this.capacity < MIN_CAPACITY
				|| channel.size() < HEADER_BYTES + this.capacity * SLOT_BYTES) {
			throw new IOException("The idempotency index " + file(dir, generation) + " is damaged (capacity "
					+ this.capacity + ", " + channel.size() + " bytes); move it away to start an empty index");
		}
		this.mask = this.capacity - 1;
		this.chunkSlots = (int) Math.min(CHUNK_SLOTS, this.capacity);
		this.chunkShift = Integer.numberOfTrailingZeros(this.chunkSlots);
		this.chunkMask = this.chunkSlots - 1;
		this.chunks = new MappedByteBuffer[(int) (this.capacity / this.chunkSlots)];
		for (int i = 0; i < this.chunks.length; i++) {
			this.chunks[i] = channel.map(FileChannel.MapMode.READ_WRITE,
					HEADER_BYTES + (long) i * this.chunkSlots * SLOT_BYTES, (long) this.chunkSlots * SLOT_BYTES);
		}
	}

	/**
	 * Open the newest complete generation in {@code dir}, creating an empty table when
	 * there is none. Leftovers of a rebuild that did not finish are removed.
	 */
	static IdTable openCurrent(Path dir) throws IOException {
		Files.createDirectories(dir);
		OptionalInt newest = newestGeneration(dir);
		if (newest.isEmpty()) {
			return create(dir, 1, MIN_CAPACITY);
		}
		int generation = newest.getAsInt();
		try (Stream<Path> files = Files.list(dir)) {
			for (Path file : files.toList()) {
				String name = file.getFileName().toString();
				if (name.startsWith("table-") && !name.equals(file(dir, generation).getFileName().toString())) {
					// An older generation (a rebuild ended before deleting it) or an
					// unfinished one.
					try {
						Files.deleteIfExists(file);
					}
					catch (IOException ex) {
						// Still mapped by another process where that forbids deleting.
					}
				}
			}
		}
		return new IdTable(dir, generation,
				FileChannel.open(file(dir, generation), StandardOpenOption.READ, StandardOpenOption.WRITE));
	}

	/** The newest complete generation in {@code dir}. */
	static OptionalInt newestGeneration(Path dir) throws IOException {
		if (!Files.isDirectory(dir)) {
			return OptionalInt.empty();
		}
		try (Stream<Path> files = Files.list(dir)) {
			return files.map((file) -> NAME.matcher(file.getFileName().toString()))
				.filter(Matcher::matches)
				.mapToInt((matcher) -> Integer.parseInt(matcher.group(1)))
				.max();
		}
	}

	private static IdTable create(Path dir, int generation, long capacity) throws IOException {
		Path tmp = dir.resolve("table-" + generation + ".tmp");
		FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
				StandardOpenOption.READ, StandardOpenOption.WRITE);
		try {
			// A sparse file: the slots read as zeros, which is EMPTY.
			channel.truncate(0);
			channel.write(java.nio.ByteBuffer.allocate(1), HEADER_BYTES + capacity * SLOT_BYTES - 1);
			MappedByteBuffer header = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
			header.putLong(0, MAGIC);
			header.putLong(CAPACITY, capacity);
			header.force();
			channel.force(true);
			SpoolWriter.move(tmp, file(dir, generation));
			SpoolWriter.forceDirectory(dir);
			return new IdTable(dir, generation, channel);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			Files.deleteIfExists(tmp);
			throw ex;
		}
	}

	private static Path file(Path dir, int generation) {
		return dir.resolve("table-" + generation);
	}

	int generation() {
		return this.generation;
	}

	long capacity() {
		return this.capacity;
	}

	/** Slots not empty: live ones and tombstones. */
	long used() {
		return this.header.getLong(USED);
	}

	/** Occupied and void slots. */
	long live() {
		return this.header.getLong(LIVE);
	}

	/** The stage run whose session was open when the index was last left, or 0. */
	long inProgress() {
		return this.header.getLong(IN_PROGRESS);
	}

	/** The spool file name of {@link #inProgress()}. */
	String inProgressName() {
		int length = this.header.getInt(IN_PROGRESS_NAME);
		byte[] name = new byte[Math.max(0, Math.min(length, MAX_NAME_BYTES))];
		this.header.get(IN_PROGRESS_NAME + 4, name);
		return new String(name, StandardCharsets.UTF_8);
	}

	/** Record (or, with owner 0, clear) the stage run in progress, durably. */
	void setInProgress(long owner, String spoolFileName) throws IOException {
		byte[] name = spoolFileName.getBytes(StandardCharsets.UTF_8);
		if (name.length > MAX_NAME_BYTES) {
			throw new IllegalArgumentException("spool file name too long: " + spoolFileName);
		}
		// Name first, owner last: a reader that sees the owner sees its name.
		this.header.putInt(IN_PROGRESS_NAME, name.length);
		this.header.put(IN_PROGRESS_NAME + 4, name);
		this.header.putLong(IN_PROGRESS, owner);
		this.header.force();
	}

	/** The slot a key's probe starts at. */
	long home(IdKey key) {
		return key.high() & this.mask;
	}

	/**
	 * The slot that holds {@code key} (occupied or void), or {@code -1 - slot} for the
	 * slot a new entry for it goes to (the first tombstone on its probe path, else the
	 * empty slot that ends it).
	 */
	long find(IdKey key) {
		long slot = home(key);
		long tombstone = -1;
		for (long probed = 0; probed < this.capacity; probed++) {
			byte state = state(slot);
			if (state == EMPTY) {
				return -1 - ((tombstone >= 0) ? tombstone : slot);
			}
			if (state == TOMBSTONE) {
				tombstone = (tombstone >= 0) ? tombstone : slot;
			}
			else if (buffer(slot).getLong(offset(slot) + KEY_HIGH) == key.high()
					&& buffer(slot).getInt(offset(slot) + KEY_LOW) == key.low()) {
				return slot;
			}
			slot = (slot + 1) & this.mask;
		}
		if (tombstone >= 0) {
			return -1 - tombstone;
		}
		throw new IllegalStateException("The idempotency index has no free slot; it is rebuilt before it fills");
	}

	/** Whether one more entry would take the table past its load limit. */
	boolean full() {
		return full(1);
	}

	/** Whether {@code more} entries would take the table past its load limit. */
	boolean full(long more) {
		return used() + more > this.capacity * MAX_LOAD;
	}

	Slot read(long slot) {
		MappedByteBuffer buffer = buffer(slot);
		int at = offset(slot);
		long word = buffer.getLong(at + STATE_AND_LINE);
		return new Slot(new IdKey(buffer.getLong(at + KEY_HIGH), buffer.getInt(at + KEY_LOW)),
				Integer.toUnsignedLong(buffer.getInt(at + TIME)), buffer.getLong(at + FINGERPRINT),
				buffer.getLong(at + SEQ), buffer.getLong(at + OWNER), word & LINE_MASK, (byte) (word >>> 56));
	}

	/**
	 * Write an occupied slot at {@code slot} (as {@link #find} gave it, or a slot that
	 * holds the same key), publishing it last.
	 */
	void write(long slot, Slot value) {
		byte before = state(slot);
		MappedByteBuffer buffer = buffer(slot);
		int at = offset(slot);
		buffer.putLong(at + KEY_HIGH, value.key().high());
		buffer.putInt(at + KEY_LOW, value.key().low());
		buffer.putInt(at + TIME, (int) value.time());
		buffer.putLong(at + FINGERPRINT, value.fingerprint());
		buffer.putLong(at + SEQ, value.seq());
		buffer.putLong(at + OWNER, value.owner());
		buffer.putLong(at + STATE_AND_LINE, ((long) value.state() << 56) | (value.line() & LINE_MASK));
		markDirty(slot);
		if (before == EMPTY) {
			count(USED, 1);
		}
		if (before == EMPTY || before == TOMBSTONE) {
			count(LIVE, 1);
		}
	}

	/** Change the state of a live slot (to {@link #VOID} or {@link #TOMBSTONE}). */
	void setState(long slot, byte state) {
		MappedByteBuffer buffer = buffer(slot);
		int at = offset(slot);
		long word = buffer.getLong(at + STATE_AND_LINE);
		buffer.putLong(at + STATE_AND_LINE, ((long) state << 56) | (word & LINE_MASK));
		markDirty(slot);
		if (state == TOMBSTONE) {
			count(LIVE, -1);
		}
	}

	byte state(long slot) {
		// The mapping is big-endian: the state, the word's top byte, comes first.
		return buffer(slot).get(offset(slot) + STATE_AND_LINE);
	}

	/** Make every change durable: the dirty parts of the mapping, then the header. */
	void force() {
		for (int chunk = this.dirty.nextSetBit(0); chunk >= 0; chunk = this.dirty.nextSetBit(chunk + 1)) {
			this.chunks[chunk].force();
		}
		this.dirty.clear();
		if (this.headerDirty) {
			this.header.force();
			this.headerDirty = false;
		}
	}

	/**
	 * Write the live slots into a new generation sized for them, then switch to it: the
	 * old file is removed only once the new one is complete and durable.
	 * @return the new table; this one is closed
	 */
	IdTable rebuild() throws IOException {
		return rebuild(1);
	}

	/**
	 * Rebuild with room for {@code more} entries besides the live ones, filling the new
	 * table to its load limit at most: for a session that knows how many it will add, so
	 * the table that is forced at its end is as small as it can be.
	 * @see #rebuild()
	 */
	IdTable rebuildFor(long more) throws IOException {
		return rebuild(more, MAX_LOAD);
	}

	private IdTable rebuild(long more) throws IOException {
		return rebuild(more, REBUILT_LOAD);
	}

	private IdTable rebuild(long more, double load) throws IOException {
		long live = live();
		long capacity = MIN_CAPACITY;
		while (capacity * load < live + more) {
			capacity <<= 1;
		}
		force();
		IdTable next = create(this.dir, this.generation + 1, capacity);
		try {
			for (long slot = 0; slot < this.capacity; slot++) {
				byte state = state(slot);
				if (state == OCCUPIED || state == VOID) {
					Slot value = read(slot);
					next.write(-1 - next.find(value.key()), value);
				}
			}
			next.setInProgress(inProgress(), inProgressName());
			next.force();
		}
		catch (IOException | RuntimeException ex) {
			next.close();
			Files.deleteIfExists(file(this.dir, next.generation));
			throw ex;
		}
		close();
		try {
			Files.deleteIfExists(file(this.dir, this.generation));
		}
		catch (IOException ex) {
			// A system that cannot delete a file another process maps (Windows): the next
			// open of the folder removes it.
		}
		return next;
	}

	@Override
	public void close() throws IOException {
		// The mappings go when they are collected; Java 17 cannot unmap them earlier.
		this.channel.close();
	}

	private MappedByteBuffer buffer(long slot) {
		return this.chunks[(int) (slot >>> this.chunkShift)];
	}

	private int offset(long slot) {
		return (int) (slot & this.chunkMask) * SLOT_BYTES;
	}

	private void markDirty(long slot) {
		this.dirty.set((int) (slot >>> this.chunkShift));
	}

	private void count(int field, long delta) {
		this.header.putLong(field, Math.max(0, this.header.getLong(field) + delta));
		this.headerDirty = true;
	}

	/** Existing table generations, oldest first (for tests and the README's sizes). */
	static List<Path> files(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter((file) -> NAME.matcher(file.getFileName().toString()).matches())
				.sorted(Comparator.comparing(Path::toString))
				.toList();
		}
	}

	/**
	 * One slot.
	 *
	 * @param key the id's key
	 * @param time when the entry was written, in epoch seconds
	 * @param fingerprint the record's fingerprint
	 * @param seq the {@code {seq}} value the record got, 0 for none
	 * @param owner the stage run or dropped file that staged it
	 * @param line its line in a dropped file (0 for a stage run)
	 * @param state {@link #OCCUPIED}, {@link #VOID}, …
	 */
	record Slot(IdKey key, long time, long fingerprint, long seq, long owner, long line, byte state) {

		@Nullable Long seqOrNull() {
			return (this.seq > 0) ? this.seq : null;
		}

	}

}
