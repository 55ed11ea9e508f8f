/**
 * The logical store: live logical entries, the physical keys they dirty, the outbox
 * cursor, and the physical views that turn entries into the values a target stores.
 */
@NullMarked
package dev.kvbatch.store;

import org.jspecify.annotations.NullMarked;
