package dev.kvbatch.jobs;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kvbatch.JobNames;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Starts, restarts and manages runs through Spring Batch's {@link JobOperator}. Each
 * start gets an identifying {@code run.at} parameter (no incrementer: Batch 6 ignores
 * given parameters when a job has one), so every start is a new instance and a restart
 * resumes the failed one from its last committed chunk.
 */
@Component
public class JobRuns {

	private static final Logger log = LoggerFactory.getLogger(JobRuns.class);

	/** The jobs a user can run by name. */
	public static final Set<String> JOBS = JobNames.ALL;

	/** The UTC day a usage-report execution reported on, in its job context. */
	public static final String REPORT_DATE = "usage.date";

	/** The files a usage-report execution wrote, comma-separated, in its job context. */
	public static final String REPORT_FILES = "usage.files";

	/**
	 * Outbox rows an apply step read, superseded ones included, in its step context: its
	 * read count is the logical keys it applied.
	 */
	public static final String APPLY_ROWS = "apply.rows";

	/** The prune parameter that plans without changing anything. */
	public static final String DRY_RUN = "dry-run";

	/**
	 * Whether a {@code dry-run} value asks for a dry run: {@code true} (prune's validator
	 * refuses anything but {@code true} and {@code false}).
	 */
	public static boolean isDryRun(@Nullable String value) {
		return JobParameterRules.isTrue(value);
	}

	/** Whether an execution was a dry run. */
	public static boolean isDryRun(JobParameters parameters) {
		return isDryRun(parameters.getString(DRY_RUN));
	}

	private final JobOperator operator;

	private final JobRepository repository;

	private final Map<String, Job> jobs;

	private final Clock clock;

	private final RunLocks locks;

	public JobRuns(JobOperator operator, JobRepository repository, List<Job> jobs, Clock clock, RunLocks locks) {
		this.operator = operator;
		this.locks = locks;
		this.repository = repository;
		this.jobs = jobs.stream().collect(java.util.stream.Collectors.toMap(Job::getName, (job) -> job));
		this.clock = clock;
	}

	/**
	 * Runs a job to its end with the given identifying parameters, holding its lock.
	 * @throws RunLockedException if another run of the job holds the lock
	 */
	public JobExecution start(String jobName, Map<String, String> parameters) throws Exception {
		JobParametersBuilder builder = new JobParametersBuilder();
		parameters.forEach(builder::addString);
		builder.addString("run.at", this.clock.instant().toString());
		return start(jobName, builder.toJobParameters());
	}

	/**
	 * Runs a job to its end with the given parameters, holding its lock. Executions of
	 * the job that a dead process left running are marked FAILED first, with one line
	 * each.
	 * @throws RunLockedException if another run of the job holds the lock
	 */
	public JobExecution start(String jobName, JobParameters parameters) throws Exception {
		Job job = job(jobName);
		// Before the operator does: it validates only after creating the job instance,
		// which a refused start would leave behind without an execution.
		job.getJobParametersValidator().validate(parameters);
		try (RunLocks.Held lock = this.locks.claim(jobName)) {
			recoverDead(jobName, null);
			return this.operator.start(job, parameters);
		}
	}

	/**
	 * Restarts a FAILED or STOPPED execution; one left STARTING, STARTED or STOPPING by a
	 * process that died is recovered first, with one line.
	 */
	public JobExecution restart(long executionId) throws Exception {
		JobExecution execution = execution(executionId);
		String jobName = execution.getJobInstance().getJobName();
		try (RunLocks.Held lock = this.locks.claim(jobName)) {
			recoverDead(jobName, executionId);
			return this.operator.restart(execution(executionId));
		}
	}

	/**
	 * Marks FAILED the executions of the jobs sharing a job's lock that the repository
	 * says are running. The caller holds that lock, and every run holds it while it runs,
	 * so no live process runs them: their process died (killed, out of memory, a lost
	 * node) before it could record how they ended. Their committed work stays: a restart
	 * resumes them, and a new run takes up what is left in the database.
	 */
	private void recoverDead(String jobName, @Nullable Long restarting) {
		String lock = RunLocks.lockName(jobName);
		for (String name : this.jobs.keySet().stream().filter((job) -> RunLocks.lockName(job).equals(lock)).toList()) {
			for (JobExecution dead : this.repository.findRunningJobExecutions(name)) {
				BatchStatus was = dead.getStatus();
				this.operator.recover(dead);
				log.warn("{} execution {} was left {} by a process that is gone; marked FAILED{}", name, dead.getId(),
						was, (Long.valueOf(dead.getId()).equals(restarting)) ? ", restarting it" : "");
			}
		}
	}

	/** The newest execution of a job, if any. */
	public Optional<JobExecution> last(String jobName) {
		return this.repository.getJobInstances(job(jobName).getName(), 0, 1)
			.stream()
			.findFirst()
			.map(this.repository::getLastJobExecution);
	}

	public JobExecution stop(long executionId) throws Exception {
		JobExecution execution = execution(executionId);
		this.operator.stop(execution);
		return execution(executionId);
	}

	public JobExecution abandon(long executionId) throws Exception {
		return this.operator.abandon(execution(executionId));
	}

	/**
	 * Marks an execution a killed process left running as FAILED. Claims the job's lock
	 * first, so that a run that is still alive is never recovered under it.
	 * @throws RunLockedException if a run of the job holds the lock
	 */
	public JobExecution recover(long executionId) {
		JobExecution execution = execution(executionId);
		try (RunLocks.Held lock = this.locks.claim(execution.getJobInstance().getJobName())) {
			return this.operator.recover(execution);
		}
	}

	/**
	 * The newest execution of an execution's job instance: a restart resumes that one,
	 * never an older execution of the same instance.
	 */
	public JobExecution lastOfInstance(JobExecution execution) {
		JobExecution last = this.repository.getLastJobExecution(execution.getJobInstance());
		return (last != null) ? last : execution;
	}

	/** The newest executions, newest first, of one job or of all. */
	public List<JobExecution> recent(String jobName, int limit) {
		List<String> names = (jobName != null) ? List.of(job(jobName).getName()) : this.repository.getJobNames();
		return names.stream()
			.flatMap((name) -> this.repository.getJobInstances(name, 0, limit).stream())
			.flatMap((JobInstance instance) -> this.repository.getJobExecutions(instance).stream())
			.sorted(Comparator.comparingLong(JobExecution::getId).reversed())
			.limit(limit)
			.toList();
	}

	public JobExecution execution(long executionId) {
		JobExecution execution;
		try {
			execution = this.repository.getJobExecution(executionId);
		}
		catch (EmptyResultDataAccessException ex) {
			execution = null;
		}
		if (execution == null) {
			throw new IllegalArgumentException("no execution with id " + executionId);
		}
		return execution;
	}

	private Job job(String name) {
		Job job = this.jobs.get(name);
		if (job == null) {
			throw new IllegalArgumentException("no job \"" + name + "\"; jobs: "
					+ String.join(", ", this.jobs.keySet().stream().sorted().toList()));
		}
		return job;
	}

}
