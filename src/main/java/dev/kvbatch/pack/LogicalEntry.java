package dev.kvbatch.pack;

import org.jspecify.annotations.Nullable;

/**
 * A live logical entry as the packer sees it.
 *
 * @param logicalKey the key the app staged
 * @param field the map field or rollup type ({@code null} for direct and counter)
 * @param valueJson the value as JSON text
 * @param metric the number a rollup aggregates ({@code null} for other rules)
 * @param expiresAt absolute expiration in epoch seconds, {@code null} for never
 */
public record LogicalEntry(String logicalKey, @Nullable String field, String valueJson, @Nullable Double metric,
		@Nullable Long expiresAt) {
}
