package dev.kvbatch.store;

/**
 * A physical key whose value may have changed.
 *
 * @param id its place in the dirty queue: lower ids have waited longer
 * @param physicalKey the key
 * @param dirtySince when it was first marked, epoch milliseconds
 */
public record DirtyKey(long id, String physicalKey, long dirtySince) {
}
