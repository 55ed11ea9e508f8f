/**
 * Spring Batch wiring only: the jobs, their steps and listeners, and the service that
 * starts and restarts them. Composes the other packages; nothing points back here.
 */
@NullMarked
package dev.kvbatch.jobs;

import org.jspecify.annotations.NullMarked;
