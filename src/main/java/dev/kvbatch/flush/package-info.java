/**
 * Flushing: dirty physical keys, planned from the store, sent to the KV port within the
 * daily budget, bisecting a refused bulk request down to the items KV refuses.
 */
@NullMarked
package dev.kvbatch.flush;

import org.jspecify.annotations.NullMarked;
