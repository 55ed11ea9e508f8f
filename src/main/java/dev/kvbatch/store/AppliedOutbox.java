package dev.kvbatch.store;

import java.time.Instant;

import dev.kvbatch.Trimmable;
import dev.kvbatch.stage.Outbox;

import org.springframework.stereotype.Component;

/**
 * Retention of the outbox: only rows the logical store has applied (up to its cursor) go,
 * once staged longer ago than the retention. The SQL is the {@link Outbox}'s.
 */
@Component
class AppliedOutbox implements Trimmable {

	private final Outbox outbox;

	private final Cursors cursors;

	AppliedOutbox(Outbox outbox, Cursors cursors) {
		this.outbox = outbox;
		this.cursors = cursors;
	}

	@Override
	public String kind() {
		return "outbox";
	}

	@Override
	public long due(Instant cutoff) {
		return this.outbox.dueApplied(this.cursors.position(Cursors.OUTBOX), cutoff);
	}

	@Override
	public long trim(Instant cutoff, int batchSize) {
		return this.outbox.trimApplied(this.cursors.position(Cursors.OUTBOX), cutoff, batchSize);
	}

}
