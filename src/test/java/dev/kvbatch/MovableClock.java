package dev.kvbatch;

import dev.kvbatch.kv.cloudflare.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A clock that only moves when told, and a {@link Sleeper} that moves it instead of
 * sleeping and remembers each wait.
 */
public final class MovableClock extends Clock {

	private volatile Instant now;

	private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

	public MovableClock(Instant start) {
		this.now = start;
	}

	public void set(Instant now) {
		this.now = now;
	}

	public void advance(Duration duration) {
		this.now = this.now.plus(duration);
	}

	/** Moves the clock by each wait, and records it. */
	public Sleeper sleeper() {
		return (duration) -> {
			this.sleeps.add(duration);
			advance(duration);
		};
	}

	public List<Duration> sleeps() {
		return this.sleeps;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		if (zone.normalized().equals(ZoneOffset.UTC)) {
			return this;
		}
		throw new UnsupportedOperationException("a UTC clock: " + zone);
	}

	@Override
	public Instant instant() {
		return this.now;
	}

}
