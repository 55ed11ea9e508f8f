/**
 * Spring Batch wiring only: the jobs, their steps and listeners, and the service that
 * starts and restarts them. Composes the other packages; only the edge ({@code cli},
 * {@code schedule}, {@code bench}) starts jobs through {@link dev.kvbatch.jobs.JobRuns}.
 */
@NullMarked
package dev.kvbatch.jobs;

import org.jspecify.annotations.NullMarked;
