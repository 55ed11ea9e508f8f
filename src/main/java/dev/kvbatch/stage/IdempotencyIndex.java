package dev.kvbatch.stage;

import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Which idempotency ids are already staged, with the fingerprint of their record and the
 * {@code {seq}} value it got: what {@code kvbatch stage} and the ingest of dropped spool
 * files consult, so that a retried record gets the key it got the first time and is not
 * staged again.
 * <p>
 * <b>Sessions.</b> Everything goes through a {@link Session}, which holds the index
 * exclusively (across threads and processes) until it is closed. Sessions are meant to be
 * short: a stage run opens one only after it has read its whole input, so a producer with
 * a slow standard input never makes another wait.
 * <p>
 * <b>Crash safety.</b> An id counts as staged only once its record is committed:
 * <ul>
 * <li>for a {@link Owner.Run stage run}, once its spool file is renamed into place
 * ({@link Session#committed()}). If the run dies or fails before that, its ids are void:
 * a retry stages the record again, and gets the same {@code {seq}} value;</li>
 * <li>for a {@link Owner.DroppedFile dropped file}, at once: the file stays in the spool
 * folder until all of it is loaded, and a load that died is repeated from the same lines,
 * which then find their own entries ({@link Lookup.Fresh#keptSeq()}).</li>
 * </ul>
 * <p>
 * <b>Bounded.</b> Implementations keep entries for the idempotency retention and drop
 * older ones in bounded batches ({@link #trim}); neither a lookup's cost nor the heap
 * grows with the number of entries. Implementations are thread-safe.
 */
public interface IdempotencyIndex {

	/**
	 * Start a session, waiting while another one is open. Opening first settles what an
	 * earlier session left behind when its process died: its ids count as staged if its
	 * spool file was committed, else they are void.
	 * @param owner who stages the records looked up in this session
	 * @throws IOException if the index cannot be read or written
	 */
	Session open(Owner owner) throws IOException;

	/**
	 * Make sure a stage run's ids count as staged, before its committed spool file leaves
	 * the spool folder (ingest moves it to {@code done/}). Idempotent and cheap; a no-op
	 * when the run closed its session normally.
	 * @param spoolFileName the committed file's name
	 * @param owner the run's owner token, from the file's header
	 */
	void settle(String spoolFileName, long owner) throws IOException;

	/**
	 * Remove entries written before {@code before}, at most about {@code max} of them,
	 * holding the index only briefly at a time.
	 * @return how many were removed; 0 once nothing older is left
	 */
	long trim(Instant before, int max) throws IOException;

	/** How many entries were written before {@code before}. */
	long countBefore(Instant before) throws IOException;

	/** Who stages the records of a session. */
	sealed interface Owner {

		/** The token written with each entry. */
		long token();

		/**
		 * One {@code kvbatch stage} run (or an in-process staging call): its records land
		 * only when its spool file is renamed into place.
		 *
		 * @param token a random token, also in the spool file's header
		 * @param spoolFileName the name the spool file gets when committed
		 */
		record Run(long token, String spoolFileName) implements Owner {
		}

		/**
		 * A spool file a producer dropped, loaded by ingest a batch of lines at a time.
		 *
		 * @param token stands for this file: its name, size and modification time
		 */
		record DroppedFile(long token) implements Owner {
		}

	}

	/** What the index knows of one id. */
	sealed interface Lookup {

		/**
		 * Not staged: stage the record, and {@link Session#record} it.
		 *
		 * @param keptSeq the {@code {seq}} value an earlier attempt at this id already
		 * holds (a run that died before its commit, or this dropped file's own line read
		 * again), to be given again; {@code null} to take the next one
		 */
		record Fresh(@Nullable Long keptSeq) implements Lookup {

			/** Not staged, and no value held for it. */
			public static final Fresh NEW = new Fresh(null);

		}

		/**
		 * Already staged with the same fingerprint: a retry. Stage nothing.
		 *
		 * @param seq the {@code {seq}} value it got, {@code null} if its key had none
		 */
		record Staged(@Nullable Long seq) implements Lookup {
		}

		/** Already staged with a different fingerprint: refuse the record. */
		record Conflict() implements Lookup {
		}

	}

	/**
	 * An exclusive hold on the index for one owner. Not thread-safe: one thread uses a
	 * session, and closes it.
	 */
	interface Session extends Closeable {

		/**
		 * Look an id up for the record on {@code line} of the owner's input.
		 * @param id the id's key
		 * @param fingerprint the record's fingerprint
		 * @param line the record's line in a dropped file (any value for a stage run)
		 */
		Lookup find(IdKey id, long fingerprint, long line) throws IOException;

		/**
		 * Record an id as staged by this session's owner, after a {@link Lookup.Fresh}.
		 * @param seq the {@code {seq}} value the record got, or {@code null}
		 */
		void record(IdKey id, long fingerprint, long line, @Nullable Long seq) throws IOException;

		/**
		 * Resolve many ids of records whose keys need no {@code {seq}} at once: the same
		 * as, for each in order, {@link #find} and, if fresh, {@link #record} it with no
		 * {@code {seq}} value (so a later repeat of an id in the same call finds the
		 * earlier one), in one call: an implementation may batch the work, as a database
		 * would in one statement.
		 * @param ids the ids' keys
		 * @param fingerprints the records' fingerprints, in the same order
		 * @return what each one was, in the same order
		 */
		Lookup[] resolveAll(IdKey[] ids, long[] fingerprints) throws IOException;

		/**
		 * Say how many ids the session will record at most, so that the index can make
		 * room for all of them at once instead of growing in steps. Optional.
		 */
		void expect(long ids) throws IOException;

		/**
		 * Make everything recorded so far durable. A stage run calls it just before it
		 * renames its spool file into place.
		 */
		void prepareCommit() throws IOException;

		/** The stage run's spool file is in place: its ids are staged. */
		void committed() throws IOException;

		/**
		 * End the session. A stage run that did not reach {@link #committed()} voids its
		 * ids.
		 */
		@Override
		void close() throws IOException;

	}

}
