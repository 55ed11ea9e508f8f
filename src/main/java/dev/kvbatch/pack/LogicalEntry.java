package dev.kvbatch.pack;

import org.jspecify.annotations.Nullable;

/**
 * A live logical entry as the packer sees it.
 *
 * @param logicalKey the key the app staged
 * @param field the map field or rollup type ({@code null} for direct and counter)
 * @param valueJson the value as JSON text; when {@code base64}, a JSON string of the
 * base64 of raw bytes ({@link RawBytes})
 * @param metric the number a rollup aggregates ({@code null} for other rules)
 * @param expiresAt absolute expiration in epoch seconds, {@code null} for never
 * @param base64 whether the value is raw bytes, which only a direct key holds
 */
public record LogicalEntry(String logicalKey, @Nullable String field, String valueJson, @Nullable Double metric,
		@Nullable Long expiresAt, boolean base64) {

	/** An entry whose value is JSON. */
	public LogicalEntry(String logicalKey, @Nullable String field, String valueJson, @Nullable Double metric,
			@Nullable Long expiresAt) {
		this(logicalKey, field, valueJson, metric, expiresAt, false);
	}

}
