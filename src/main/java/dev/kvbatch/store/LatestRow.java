package dev.kvbatch.store;

import dev.kvbatch.stage.Outbox;

/**
 * The last outbox row of a logical key within a window of the outbox: the only one of the
 * key's rows whose state counts, since applying sets a key to its last staged state.
 *
 * @param row the row
 * @param seqUpTo the highest {@code {seq}} of every outbox row read up to and including
 * this one, superseded rows too, so the counter never falls behind a sequence number
 * whose row was superseded; 0 if none carried one
 */
public record LatestRow(Outbox.Row row, long seqUpTo) {
}
