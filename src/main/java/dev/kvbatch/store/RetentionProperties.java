package dev.kvbatch.store;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the prune job keeps each kind of local data. Everything is trimmed in bounded
 * batches.
 *
 * @param outbox outbox rows already applied to the logical store
 * ({@code KVBATCH_RETENTION_OUTBOX})
 * @param idempotencyIds staged ids the idempotency index keeps, so that a retry stages
 * nothing; a repeat staged later than this is staged again
 * @param deadLetters rejected input kept for inspection
 * @param ledgerDetail the ledger's row per target call, before it is rolled up into one
 * row per day, operation and target (the budget and the report read the detail of the
 * last days)
 * @param ledgerDaily the per-day ledger rows and staged tallies the report's history
 * reads
 * @param jobMetadata Spring Batch's tables, per finished job execution
 * @param spoolDone ingested spool files in {@code spool/done/}
 * @param spoolTmp {@code *.tmp} files left in the spool folder (a stage run or a producer
 * that died while writing), counted from their last change; a file a live stage run still
 * holds is never removed
 * @param batchSize rows removed per transaction
 */
@ConfigurationProperties("kvbatch.retention")
public record RetentionProperties(@DefaultValue("1d") Duration outbox, @DefaultValue("30d") Duration idempotencyIds,
		@DefaultValue("30d") Duration deadLetters, @DefaultValue("35d") Duration ledgerDetail,
		@DefaultValue("400d") Duration ledgerDaily, @DefaultValue("90d") Duration jobMetadata,
		@DefaultValue("7d") Duration spoolDone, @DefaultValue("1d") Duration spoolTmp,
		@DefaultValue("10000") int batchSize) {
}
