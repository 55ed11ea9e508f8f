/**
 * Metering, upstream of the KV adapters: the write-ahead ledger of every KV call, the
 * plan's limits, the daily budget a flush checks before it sends, and the tally of
 * logical operations staged per day. Owns {@code kv_ledger} and {@code kv_staged_daily}.
 */
@NullMarked
package dev.kvbatch.metering;

import org.jspecify.annotations.NullMarked;
