/**
 * Serve mode: Quartz fires the jobs on the schedules in {@code jobs/schedules.yaml}, with
 * a JDBC job store whose tables come from the Flyway migrations.
 */
@NullMarked
package dev.kvbatch.schedule;

import org.jspecify.annotations.NullMarked;
