package dev.kvbatch.kv.cloudflare;

import java.time.Duration;

/**
 * Waits. The seam through which the Cloudflare target waits for a rate limit or a retry,
 * so tests can record the waits (and move a clock) instead of sleeping.
 */
@FunctionalInterface
public interface Sleeper {

	/**
	 * Returns after {@code duration} has passed.
	 * @throws InterruptedException if the thread is interrupted while waiting
	 */
	void sleep(Duration duration) throws InterruptedException;

	/** Sleeps the current thread. */
	static Sleeper threadSleep() {
		return (duration) -> Thread.sleep(duration.toMillis());
	}

}
