package dev.kvbatch.jobs;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import dev.kvbatch.Trimmable;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Retention of Spring Batch's metadata: finished executions older than the retention are
 * removed through Spring Batch's own {@link JobRepository#deleteJobExecution} (the
 * execution with its context, parameters and step executions), and an instance goes with
 * its last execution ({@link JobRepository#deleteJobInstance}), so kvbatch writes no SQL
 * against Spring Batch's tables. Only which executions are due is read here, in id order,
 * one bounded batch at a time. Running executions (no end time) are never due.
 */
@Component
class BatchMetadata implements Trimmable {

	/** Executions per batch: each is several deletes. */
	private static final int MAX_BATCH = 500;

	// Spring Batch keeps times as local date-times of the JVM's zone.
	private static final String DUE = "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE END_TIME < ?";

	private static final String OLDEST = """
			SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE END_TIME < ?
			ORDER BY JOB_EXECUTION_ID FETCH FIRST ? ROWS ONLY""";

	private final JobRepository jobs;

	private final JdbcClient jdbc;

	BatchMetadata(JobRepository jobs, JdbcClient jdbc) {
		this.jobs = jobs;
		this.jdbc = jdbc;
	}

	@Override
	public String kind() {
		return "job-metadata";
	}

	@Override
	public long due(Instant cutoff) {
		return this.jdbc.sql(DUE).param(batchTime(cutoff)).query(Long.class).single();
	}

	@Override
	public long trim(Instant cutoff, int batchSize) {
		List<Long> ids = this.jdbc.sql(OLDEST)
			.params(batchTime(cutoff), Math.min(batchSize, MAX_BATCH))
			.query(Long.class)
			.list();
		for (long id : ids) {
			JobExecution execution = this.jobs.getJobExecution(id);
			if (execution == null) {
				continue;
			}
			JobInstance instance = execution.getJobInstance();
			this.jobs.deleteJobExecution(execution);
			if (this.jobs.findJobExecutions(instance).isEmpty()) {
				this.jobs.deleteJobInstance(instance);
			}
		}
		return ids.size();
	}

	private static LocalDateTime batchTime(Instant instant) {
		return LocalDateTime.ofInstant(instant, ZoneId.systemDefault());
	}

}
