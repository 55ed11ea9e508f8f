package dev.kvbatch.api;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.http.HttpStatus;

/**
 * Admits a request's staging lines (or refuses them with 429 while the backlog is full)
 * and waits until they are durable. Thread-safe.
 * <p>
 * Measuring the backlog costs two queries and a look at every pending spool file, far
 * more than a write itself, so it is measured at most every {@link #MEASURE_EVERY_NANOS}
 * and the lines admitted since are added to the measure. The estimate can only be high,
 * except for what other producers stage meanwhile and for the writes between admission
 * and queue at the instant of a measure. A write the estimate would refuse is refused
 * only after a fresh measure, so a write is never refused on a stale figure.
 */
final class ApiStaging {

	/** How long a write waits for its sync before answering 503. */
	private static final long COMMIT_WAIT_SECONDS = 120;

	/**
	 * How old a measure of the backlog may be before admitting a write re-measures it.
	 */
	private static final long MEASURE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	private final GroupCommit commits;

	private final LocalState state;

	private final ApiProperties properties;

	/** Lines admitted so far. */
	private final AtomicLong admitted = new AtomicLong();

	private final ReentrantLock measuring = new ReentrantLock();

	private volatile Measure measure;

	ApiStaging(GroupCommit commits, LocalState state, ApiProperties properties) {
		this.commits = commits;
		this.state = state;
		this.properties = properties;
		// Stale from the start: the first write measures.
		this.measure = new Measure(System.nanoTime() - MEASURE_EVERY_NANOS - 1, 0, 0);
	}

	/**
	 * Stage the lines of one request; returns once they are durable, with one outcome per
	 * line.
	 * @throws Backlogged if the backlog has no room for them
	 * @throws ApiException (503) if they could not be made durable: nothing is
	 * acknowledged
	 */
	List<GroupCommit.Outcome> stage(String what, List<GroupCommit.Line> lines) {
		admit(lines.size());
		try {
			return this.commits.submit(what, lines).get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw unavailable();
		}
		catch (ExecutionException | TimeoutException ex) {
			throw unavailable();
		}
	}

	private void admit(int lines) {
		long max = this.properties.maxBacklog();
		Measure last = this.measure;
		if (System.nanoTime() - last.at > MEASURE_EVERY_NANOS && this.measuring.tryLock()) {
			try {
				last = measure();
			}
			finally {
				this.measuring.unlock();
			}
		}
		if (last.estimate(this.admitted.get()) + lines > max) {
			this.measuring.lock();
			try {
				last = measure();
				long backlog = last.estimate(this.admitted.get());
				if (backlog + lines > max) {
					throw new Backlogged(backlog, max, this.properties.retryAfterSeconds());
				}
			}
			finally {
				this.measuring.unlock();
			}
		}
		this.admitted.addAndGet(lines);
	}

	/** Measure the backlog now; call holding {@link #measuring}. */
	private Measure measure() {
		// Lines admitted while it is measured are counted twice rather than not at all;
		// the queue is read before the staged backlog, which a line joins before it
		// leaves the queue.
		long admittedBefore = this.admitted.get();
		long at = System.nanoTime();
		long queued = this.commits.queued();
		Measure fresh = new Measure(at, queued + this.state.backlog(), admittedBefore);
		this.measure = fresh;
		return fresh;
	}

	/**
	 * A measure of the backlog.
	 *
	 * @param at when it was taken ({@link System#nanoTime()})
	 * @param backlog staged but not applied, and queued, then
	 * @param admitted lines admitted before it was taken
	 */
	private record Measure(long at, long backlog, long admitted) {

		/** The backlog now, given the lines admitted so far: never below it. */
		long estimate(long admittedNow) {
			return this.backlog + (admittedNow - this.admitted);
		}

	}

	private static ApiException unavailable() {
		return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, ApiException.VALIDATION,
				"kvbatch could not make the write durable; nothing was acknowledged, retry it");
	}

	/** Writes refused while the backlog is full. */
	static final class Backlogged extends RuntimeException {

		final long retryAfterSeconds;

		Backlogged(long backlog, long max, long retryAfterSeconds) {
			super("kvbatch holds " + backlog + " staged operations that compress has not applied "
					+ "(kvbatch.api.max-backlog=" + max + "); retry later", null, false, false);
			this.retryAfterSeconds = retryAfterSeconds;
		}

	}

}
