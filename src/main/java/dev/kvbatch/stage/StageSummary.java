package dev.kvbatch.stage;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one {@link Stager#stage stage} run.
 *
 * @param accepted lines that became staged records
 * @param rejected lines that were recorded as dead letters
 * @param duplicates lines that repeated a record already staged with their id: nothing
 * was staged for them
 * @param spoolFile the committed spool file, or {@code null} when nothing was left to
 * stage or record
 */
public record StageSummary(long accepted, long rejected, long duplicates, @Nullable Path spoolFile) {
}
