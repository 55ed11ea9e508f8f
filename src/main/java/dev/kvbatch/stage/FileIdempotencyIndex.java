package dev.kvbatch.stage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The idempotency index in the data folder ({@code <data-dir>/ids/}), so that
 * {@code kvbatch stage} consults it without opening the database: an {@link IdTable} in a
 * memory-mapped file, held exclusively through a file lock ({@code ids/lock}) and, within
 * one JVM, a lock per folder.
 * <p>
 * A stage run's session writes its owner token and spool file name into the table's
 * header before its first entry and clears them once the file is committed. A session
 * that finds them set knows that the run died: if the named spool file is in the spool
 * folder with that owner in its header, the run's entries stand; otherwise they are made
 * void (kept, with their {@code {seq}} values, for a retry to take over).
 * <p>
 * Thread-safe and safe across processes.
 */
public final class FileIdempotencyIndex implements IdempotencyIndex {

	/** One lock per folder for this JVM; file locks are per process, not per thread. */
	private static final ConcurrentMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

	/** Slots looked at per hold of the lock while trimming or counting. */
	private static final int SCAN_SLOTS = 1 << 16;

	private final Path dir;

	private final Path spoolDir;

	private final Clock clock;

	private final ReentrantLock lock;

	/** The table as this instance last mapped it; guarded by {@link #lock}. */
	private @Nullable IdTable table;

	/** Where the current trim pass goes on; guarded by {@link #lock}. */
	private long trimFrom;

	private int trimGeneration;

	private boolean trimPassDone;

	/**
	 * @param dir the index folder, created by the first session
	 * @param spoolDir the spool folder, where a dead run's spool file is looked for
	 * @param clock dates the entries, for retention
	 */
	public FileIdempotencyIndex(Path dir, Path spoolDir, Clock clock) {
		this.dir = dir.toAbsolutePath().normalize();
		this.spoolDir = spoolDir;
		this.clock = clock;
		this.lock = LOCKS.computeIfAbsent(this.dir, (key) -> new ReentrantLock());
	}

	@Override
	public Session open(Owner owner) throws IOException {
		Held held = hold();
		try {
			if (owner instanceof Owner.Run run) {
				held.table().setInProgress(run.token(), run.spoolFileName());
			}
			return new FileSession(held, owner);
		}
		catch (IOException | RuntimeException ex) {
			held.close();
			throw ex;
		}
	}

	@Override
	public void settle(String spoolFileName, long owner) throws IOException {
		if (IdTable.newestGeneration(this.dir).isEmpty()) {
			return;
		}
		// Opening a hold settles whatever the last session left behind, and the file is
		// still in the spool folder.
		hold().close();
	}

	@Override
	public long trim(Instant before, int max) throws IOException {
		if (IdTable.newestGeneration(this.dir).isEmpty()) {
			return 0;
		}
		long cutoff = before.getEpochSecond();
		long removed = 0;
		while (removed < max) {
			try (Held held = hold()) {
				IdTable table = held.table();
				if (this.trimGeneration != table.generation()) {
					// A rebuild moved every slot: start the pass again.
					this.trimFrom = 0;
					this.trimGeneration = table.generation();
					this.trimPassDone = false;
				}
				if (this.trimPassDone) {
					// The last call reached the end: this pass is over.
					this.trimPassDone = false;
					return removed;
				}
				long end = Math.min(table.capacity(), this.trimFrom + SCAN_SLOTS);
				for (long slot = this.trimFrom; slot < end; slot++) {
					byte state = table.state(slot);
					if ((state == IdTable.OCCUPIED || state == IdTable.VOID) && table.read(slot).time() < cutoff) {
						table.setState(slot, IdTable.TOMBSTONE);
						if (++removed == max) {
							end = slot + 1;
						}
					}
				}
				table.force();
				this.trimFrom = end;
				if (end == table.capacity()) {
					this.trimFrom = 0;
					this.trimPassDone = removed > 0;
					return removed;
				}
			}
		}
		return removed;
	}

	@Override
	public long countBefore(Instant before) throws IOException {
		if (IdTable.newestGeneration(this.dir).isEmpty()) {
			return 0;
		}
		long cutoff = before.getEpochSecond();
		long count = 0;
		long from = 0;
		while (true) {
			try (Held held = hold()) {
				IdTable table = held.table();
				if (from >= table.capacity()) {
					return count;
				}
				long end = Math.min(table.capacity(), from + SCAN_SLOTS);
				for (long slot = from; slot < end; slot++) {
					byte state = table.state(slot);
					if ((state == IdTable.OCCUPIED || state == IdTable.VOID) && table.read(slot).time() < cutoff) {
						count++;
					}
				}
				from = end;
			}
		}
	}

	/**
	 * Take the index: the JVM's lock, then the file lock, then the current table, and
	 * settle a dead run's session.
	 */
	private Held hold() throws IOException {
		this.lock.lock();
		FileChannel lockFile = null;
		try {
			Files.createDirectories(this.dir);
			lockFile = FileChannel.open(this.dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock fileLock = lockFile.lock();
			Held held = new Held(lockFile, fileLock);
			try {
				held.table();
				settleDeadRun(held.table());
				return held;
			}
			catch (IOException | RuntimeException ex) {
				held.close();
				throw ex;
			}
		}
		catch (IOException | RuntimeException ex) {
			if (lockFile != null && lockFile.isOpen()) {
				lockFile.close();
			}
			if (this.lock.isHeldByCurrentThread()) {
				this.lock.unlock();
			}
			throw ex;
		}
	}

	/** The current table, mapped again if another process rebuilt it. */
	private IdTable current() throws IOException {
		OptionalInt newest = IdTable.newestGeneration(this.dir);
		if (this.table != null && newest.isPresent() && newest.getAsInt() == this.table.generation()) {
			return this.table;
		}
		if (this.table != null) {
			this.table.close();
			this.table = null;
		}
		this.table = IdTable.openCurrent(this.dir);
		return this.table;
	}

	private void settleDeadRun(IdTable table) throws IOException {
		long owner = table.inProgress();
		if (owner == 0) {
			return;
		}
		OptionalLong written = SpoolFormat.owner(this.spoolDir.resolve(table.inProgressName()));
		if (written.isEmpty() || written.getAsLong() != owner) {
			voidEntries(table, owner);
		}
		table.setInProgress(0, "");
	}

	/**
	 * Turn a run's entries void: a full scan, which only a run that died or failed before
	 * its commit costs.
	 */
	private static void voidEntries(IdTable table, long owner) {
		for (long slot = 0; slot < table.capacity(); slot++) {
			if (table.state(slot) == IdTable.OCCUPIED && table.read(slot).owner() == owner) {
				table.setState(slot, IdTable.VOID);
			}
		}
		table.force();
	}

	/** The locks of one hold; closing releases them. */
	private final class Held implements AutoCloseable {

		private final FileChannel lockFile;

		private final FileLock fileLock;

		Held(FileChannel lockFile, FileLock fileLock) {
			this.lockFile = lockFile;
			this.fileLock = fileLock;
		}

		IdTable table() throws IOException {
			return current();
		}

		void replace(IdTable rebuilt) {
			FileIdempotencyIndex.this.table = rebuilt;
		}

		@Override
		public void close() throws IOException {
			try {
				if (FileIdempotencyIndex.this.table != null) {
					FileIdempotencyIndex.this.table.force();
				}
			}
			finally {
				try {
					this.fileLock.release();
					this.lockFile.close();
				}
				finally {
					FileIdempotencyIndex.this.lock.unlock();
				}
			}
		}

	}

	private final class FileSession implements Session {

		private final Held held;

		private final Owner owner;

		private IdTable table;

		private boolean written;

		private boolean committed;

		private boolean closed;

		/** The entries of one session all carry the time it started. */
		private final long time;

		/** The last key found, and where: a record() that follows reuses the probe. */
		private @Nullable IdKey lastKey;

		private long lastSlot;

		FileSession(Held held, Owner owner) throws IOException {
			this.held = held;
			this.owner = owner;
			this.table = held.table();
			this.time = FileIdempotencyIndex.this.clock.instant().getEpochSecond();
		}

		@Override
		public Lookup find(IdKey id, long fingerprint, long line) {
			long slot = this.table.find(id);
			this.lastKey = id;
			this.lastSlot = slot;
			if (slot < 0) {
				return Lookup.Fresh.NEW;
			}
			IdTable.Slot found = this.table.read(slot);
			if (found.state() == IdTable.VOID) {
				// An attempt that never landed: this record takes its place, and its
				// {seq}.
				return new Lookup.Fresh(found.seqOrNull());
			}
			if (this.owner instanceof Owner.DroppedFile && found.owner() == this.owner.token()
					&& found.line() == line) {
				// This file's own line, read again after a load that did not commit.
				return new Lookup.Fresh(found.seqOrNull());
			}
			boolean same = found.fingerprint() == fingerprint || found.fingerprint() == LineResult.ANY_RECORD
					|| fingerprint == LineResult.ANY_RECORD;
			return same ? new Lookup.Staged(found.seqOrNull()) : new Lookup.Conflict();
		}

		@Override
		public void record(IdKey id, long fingerprint, long line, @Nullable Long seq) throws IOException {
			long slot = id.equals(this.lastKey) ? this.lastSlot : this.table.find(id);
			this.lastKey = null;
			if (slot < 0 && this.table.full()) {
				this.table = this.table.rebuild();
				this.held.replace(this.table);
				slot = this.table.find(id);
			}
			long at = (slot >= 0) ? slot : -1 - slot;
			this.table.write(at, new IdTable.Slot(id, this.time, fingerprint, (seq != null) ? seq : 0,
					this.owner.token(), (this.owner instanceof Owner.DroppedFile) ? line : 0, IdTable.OCCUPIED));
			this.written = true;
		}

		@Override
		public Lookup[] resolveAll(IdKey[] ids, long[] fingerprints) throws IOException {
			if (this.table.full(ids.length)) {
				expect(ids.length);
			}
			// In call order: visiting the slots sorted by position was measured slower on
			// a table mapped fresh, whose pages fault in as they are first touched.
			Lookup[] lookups = new Lookup[ids.length];
			for (int i = 0; i < ids.length; i++) {
				Lookup lookup = find(ids[i], fingerprints[i], 0);
				if (lookup instanceof Lookup.Fresh) {
					record(ids[i], fingerprints[i], 0, null);
				}
				lookups[i] = lookup;
			}
			return lookups;
		}

		@Override
		public void expect(long ids) throws IOException {
			if (this.table.full(ids)) {
				this.table = this.table.rebuildFor(ids);
				this.held.replace(this.table);
				this.lastKey = null;
			}
		}

		@Override
		public void prepareCommit() {
			this.table.force();
		}

		@Override
		public void committed() throws IOException {
			this.committed = true;
			if (this.owner instanceof Owner.Run) {
				this.table.force();
				this.table.setInProgress(0, "");
			}
		}

		@Override
		public void close() throws IOException {
			if (this.closed) {
				return;
			}
			this.closed = true;
			try {
				if (this.owner instanceof Owner.Run run && !this.committed) {
					if (this.written) {
						voidEntries(this.table, run.token());
					}
					this.table.setInProgress(0, "");
				}
			}
			finally {
				this.held.close();
			}
		}

	}

}
