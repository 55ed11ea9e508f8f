/**
 * Staging and ingest: JSON Lines records are validated, normalised and written atomically
 * to the spool folder ({@code {seq}} and idempotency in file-locked files, no database),
 * so a producer never waits for a running job. The {@code ingest} step's side loads spool
 * files into the outbox: this package owns {@code kv_outbox}, {@code kv_spool_progress},
 * {@code kv_staged_id} and {@code kv_dead_letter}.
 */
@NullMarked
package dev.kvbatch.stage;

import org.jspecify.annotations.NullMarked;
