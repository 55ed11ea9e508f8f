package dev.kvbatch.pack;

import org.jspecify.annotations.Nullable;

/**
 * Where one logical key lands: the rule that matched, the physical key and, for map and
 * rollup rules, the field inside the physical value.
 *
 * @param rule the matching rule's name ({@code direct} for the fallback)
 * @param kind how the physical value is packed
 * @param physicalKey the KV key that holds the entry
 * @param field the map field or rollup type; {@code null} for direct and counter rules
 */
public record Placement(String rule, PackKind kind, String physicalKey, @Nullable String field) {
}
