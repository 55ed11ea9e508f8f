/**
 * The migration of an app's individual legacy keys into the logical store: load them from
 * KV, verify that the packed values hold every one, and unpack (delete the legacy keys)
 * once verified.
 */
@NullMarked
package dev.kvbatch.migrate;

import org.jspecify.annotations.NullMarked;
