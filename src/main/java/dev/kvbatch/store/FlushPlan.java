package dev.kvbatch.store;

import dev.kvbatch.flush.Flusher;
import dev.kvbatch.pack.PhysicalValue;

/**
 * What flushing one dirty physical key takes. Planning reads only the local database;
 * carrying a plan out is the {@link Flusher}'s.
 */
public sealed interface FlushPlan {

	DirtyKey dirty();

	/** The packed value changed: send it. */
	record Put(DirtyKey dirty, String rule, PhysicalValue value, String digest) implements FlushPlan {
	}

	/** No live entry is left and KV still holds the key: delete it. */
	record Delete(DirtyKey dirty) implements FlushPlan {
	}

	/**
	 * Nothing to send: the value is the one KV holds, or KV has already expired the key.
	 *
	 * @param forget whether the record of what KV holds should go (the key is gone from
	 * KV)
	 */
	record Unchanged(DirtyKey dirty, boolean forget) implements FlushPlan {
	}

	/** The packed value breaks a KV limit: it stays dirty and the reason is reported. */
	record Refused(DirtyKey dirty, String reason) implements FlushPlan {
	}

}
