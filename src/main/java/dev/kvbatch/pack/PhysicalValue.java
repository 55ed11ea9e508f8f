package dev.kvbatch.pack;

import org.jspecify.annotations.Nullable;

/**
 * The packed value of one physical key: what a target stores.
 *
 * @param key the physical key
 * @param value the value as UTF-8 text
 * @param expiresAt absolute expiration in epoch seconds, {@code null} for never
 */
public record PhysicalValue(String key, String value, @Nullable Long expiresAt) {
}
