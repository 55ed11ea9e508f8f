package dev.kvbatch.stage;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one {@link Stager#stage stage} run.
 *
 * @param accepted lines that became staged records
 * @param rejected lines that were recorded as dead letters
 * @param spoolFile the committed spool file holding both, or {@code null} when no line
 * (other than blank ones) was read
 */
public record StageSummary(long accepted, long rejected, @Nullable Path spoolFile) {
}
