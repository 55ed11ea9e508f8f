package dev.kvbatch.kv;

/**
 * How an adapter splits calls into requests, declared by each adapter: the ledger meters
 * requests with it, and bulk reads are paged by it. A record, so it crosses packages as a
 * value.
 *
 * @param bulkKeys keys a bulk write or delete request carries at most
 * @param bulkGetKeys keys a bulk read request carries at most
 * @param listLimit keys a list page holds at most
 */
public record RequestLimits(int bulkKeys, int bulkGetKeys, int listLimit) {

	/** The requests a bulk write or delete of {@code keys} keys takes at the least. */
	public int bulkRequests(int keys) {
		return requests(keys, this.bulkKeys);
	}

	/** The requests a bulk read of {@code keys} keys takes. */
	public int bulkGetRequests(int keys) {
		return requests(keys, this.bulkGetKeys);
	}

	/**
	 * Refuses a bulk write or delete of more keys than one call may carry.
	 * @throws KvRejectedException if {@code keys} is over {@link #bulkKeys}
	 */
	public void checkBulk(int keys) {
		if (keys > this.bulkKeys) {
			throw new KvRejectedException(
					"a bulk request takes at most %,d keys, was %d".formatted(this.bulkKeys, keys));
		}
	}

	/**
	 * Refuses a list page limit out of range.
	 * @throws KvRejectedException if {@code limit} is under 1 or over {@link #listLimit}
	 */
	public void checkListLimit(int limit) {
		if (limit < 1 || limit > this.listLimit) {
			throw new KvRejectedException("list limit must be 1 to " + this.listLimit + ", was " + limit);
		}
	}

	private static int requests(int keys, int perRequest) {
		return (keys + perRequest - 1) / perRequest;
	}

}
