package dev.kvbatch.store;

/**
 * A physical key whose value may have changed.
 *
 * @param id its place in the dirty queue: lower ids have waited longer
 * @param physicalKey the key
 * @param dirtySince when it was first marked, epoch milliseconds
 * @param stagedAt when the oldest change it carries was staged, epoch milliseconds
 * @param dueAt the latest its change may reach KV (its rule's freshness bound), epoch
 * milliseconds
 */
public record DirtyKey(long id, String physicalKey, long dirtySince, long stagedAt, long dueAt) {

	/** A key due at once since it was marked. */
	public DirtyKey(long id, String physicalKey, long dirtySince) {
		this(id, physicalKey, dirtySince, dirtySince, dirtySince);
	}

}
