/**
 * Staging: JSON Lines records are validated, normalised and written atomically to the
 * spool folder, from which the {@code ingest} step loads them into the outbox. Nothing
 * here opens the database, so a producer never waits for a running job.
 */
@NullMarked
package dev.kvbatch.stage;

import org.jspecify.annotations.NullMarked;
