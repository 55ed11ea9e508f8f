package dev.kvbatch.usage;

import java.util.Map;

/**
 * Cloudflare Workers KV plans and what they include. The free plan's limits are per UTC
 * day and stop operations of a kind once spent; the paid plan's are per month and only
 * billed beyond.
 */
public enum Plan {

	/** 100,000 reads and 1,000 writes, deletes and lists per UTC day. */
	FREE(Map.of(Operation.READ, 100_000L, Operation.WRITE, 1_000L, Operation.DELETE, 1_000L, Operation.LIST, 1_000L)),

	/**
	 * 10 million reads and 1 million writes, deletes and lists per month; no daily limit.
	 */
	PAID(Map.of(Operation.READ, 10_000_000L, Operation.WRITE, 1_000_000L, Operation.DELETE, 1_000_000L, Operation.LIST,
			1_000_000L));

	private final Map<Operation, Long> included;

	Plan(Map<Operation, Long> included) {
		this.included = included;
	}

	/** Operations of a kind included per day (free) or per month (paid). */
	public long included(Operation operation) {
		return this.included.get(operation);
	}

	/** Whether the inclusions are a hard limit per UTC day. */
	public boolean dailyLimit() {
		return this == FREE;
	}

}
