package dev.kvbatch.stage;

/**
 * The {@code {seq}} values one run hands out: a {@link SeqAllocator.Lease} of the file
 * sequence, or the database sequence of {@link OutboxStager}. Not thread-safe.
 */
interface SeqValues {

	/** The next value; never one handed out before. */
	long next();

	/**
	 * Take back the value {@link #next()} gave last, when its record was refused; a
	 * source that cannot (a database sequence) leaves a gap, which is fine.
	 */
	void giveBack(long value);

}
