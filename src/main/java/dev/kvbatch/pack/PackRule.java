package dev.kvbatch.pack;

import org.jspecify.annotations.Nullable;

/**
 * One rule of {@code jobs/packing.yaml}, as written there (validated, not yet compiled).
 *
 * @param name the rule's unique name, used in placements, logs and errors
 * @param kind how the physical value is packed
 * @param match the logical-key pattern: literal text and {@code {var}} placeholders
 * @param key the physical-key template for map and rollup rules; {@code null} for counter
 * rules (whose key is the literal {@code match}) and direct rules (the logical key)
 * @param field the field template for map and rollup rules; {@code null} otherwise
 */
public record PackRule(String name, PackKind kind, String match, @Nullable String key, @Nullable String field) {
}
