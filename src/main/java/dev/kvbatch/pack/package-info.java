/**
 * Packing rules from {@code jobs/packing.yaml}: which physical key a logical key lands
 * in, and how the live logical entries of one physical key become its value. Pure Java:
 * no Spring, no I/O.
 */
@NullMarked
package dev.kvbatch.pack;

import org.jspecify.annotations.NullMarked;
