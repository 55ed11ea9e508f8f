package dev.kvbatch.kv.cloudflare;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps this process under a number of requests per sliding window: Cloudflare blocks
 * every API call of a token for five minutes once it has sent more than 1,200 requests in
 * five minutes, so it is far cheaper to wait a little before that point.
 *
 * <p>
 * Remembers the start time of the last {@code permits} requests. Thread-safe; a caller
 * that must wait holds the lock while it waits, so waiting callers are served in turn.
 */
final class RequestRateLimiter {

	private final int permits;

	private final Duration window;

	private final Clock clock;

	private final Sleeper sleeper;

	private final Deque<Instant> sent = new ArrayDeque<>();

	RequestRateLimiter(int permits, Duration window, Clock clock, Sleeper sleeper) {
		if (permits < 1 || window.isNegative() || window.isZero()) {
			throw new IllegalArgumentException("a rate limit needs at least 1 request per positive window");
		}
		this.permits = permits;
		this.window = window;
		this.clock = clock;
		this.sleeper = sleeper;
	}

	/**
	 * Returns when one more request may be sent, after waiting if the window is full.
	 * @throws InterruptedException if interrupted while waiting
	 */
	synchronized void acquire() throws InterruptedException {
		while (true) {
			Instant now = this.clock.instant();
			Instant windowStart = now.minus(this.window);
			while (!this.sent.isEmpty() && !this.sent.peekFirst().isAfter(windowStart)) {
				this.sent.removeFirst();
			}
			if (this.sent.size() < this.permits) {
				this.sent.addLast(now);
				return;
			}
			this.sleeper.sleep(Duration.between(windowStart, this.sent.peekFirst()));
		}
	}

}
