package dev.kvbatch.jobs;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Tuning of the compress job.
 *
 * @param chunkSize logical keys applied, and dirty physical keys flushed, per
 * transaction; also the largest bulk request sent (KV takes up to 10,000 keys)
 * @param ingestLines spool lines loaded per transaction by the ingest step
 * @param windowKeys the most distinct logical keys the apply step coalesces in memory at
 * once: within a window each key is written once, however often it was staged
 * @param windowSize about the most heap a window's keys and values take; by default a
 * quarter of the maximum heap
 * @param interval how far apart compress runs are when the run does not say when the next
 * one is (a CronJob's runs): a key is held back only while its rule's freshness bound
 * allows waiting that long. Unset, a run that does not know its next one sends every
 * dirty key, as {@code flush=all} does
 */
@ConfigurationProperties("kvbatch.compress")
public record CompressProperties(@DefaultValue("1000") int chunkSize, @DefaultValue("5000") int ingestLines,
		@DefaultValue("1000000") int windowKeys, @Nullable DataSize windowSize, @Nullable Duration interval) {

	/** The window size in bytes, a quarter of the maximum heap unless set. */
	public long windowBytes() {
		return (this.windowSize != null) ? this.windowSize.toBytes() : Runtime.getRuntime().maxMemory() / 4;
	}

	/**
	 * About the most characters of spool lines one ingest transaction takes (at least one
	 * line): a quarter of the window. A line is held several times over while it is
	 * parsed and validated, so two lines of 25 MiB values never share a transaction in a
	 * 256 MiB heap.
	 */
	public long ingestChars() {
		return windowBytes() / 4;
	}

	/**
	 * About the most bytes of packed values a flush chunk holds, and a request carries (a
	 * larger value goes alone): a quarter of the window.
	 */
	public long flushBytes() {
		return windowBytes() / 4;
	}

}
