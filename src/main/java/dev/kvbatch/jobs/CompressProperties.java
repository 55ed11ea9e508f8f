package dev.kvbatch.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tuning of the compress job.
 *
 * @param chunkSize outbox rows applied, and dirty physical keys flushed, per transaction;
 * also the largest bulk request sent (KV takes up to 10,000 keys)
 * @param ingestLines spool lines loaded per transaction by the ingest step
 */
@ConfigurationProperties("kvbatch.compress")
public record CompressProperties(@DefaultValue("1000") int chunkSize, @DefaultValue("5000") int ingestLines) {
}
