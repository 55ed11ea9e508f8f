/**
 * Tooling for {@code kvbatch bench}: the seed-shaped workload, heap and file-size
 * measurements, and the start-up cache (AppCDS, or JDK 25's AOT cache) the launcher, the
 * image and the bench train.
 */
@NullMarked
package dev.kvbatch.bench;

import org.jspecify.annotations.NullMarked;
