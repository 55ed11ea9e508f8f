package dev.kvbatch.store;

/**
 * A logical entry past its expiration.
 *
 * @param logicalKey the entry's key
 * @param physicalKey the physical key that holds it
 */
public record ExpiredEntry(String logicalKey, String physicalKey) {
}
