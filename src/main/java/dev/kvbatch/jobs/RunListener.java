package dev.kvbatch.jobs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.support.JobExecutionShutdownHook;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Registers Spring Batch's {@link JobExecutionShutdownHook} for each run, so a SIGTERM
 * stops the run at the next chunk boundary and leaves it STOPPED (restartable) instead of
 * STARTED. Boot's runner does not do this. The hook only records the stop (Batch 6 writes
 * STOPPED at once; the running step reads it back when its chunk commits): the CLI keeps
 * the JVM alive until the command has finished, and does not let Spring close the
 * connection pool under the running job.
 */
@Component
class RunListener implements JobExecutionListener {

	private final ObjectProvider<JobOperator> jobOperator;

	private final Map<Long, Thread> hooks = new ConcurrentHashMap<>();

	RunListener(ObjectProvider<JobOperator> jobOperator) {
		this.jobOperator = jobOperator;
	}

	@Override
	public void beforeJob(JobExecution execution) {
		Thread hook = new JobExecutionShutdownHook(execution, this.jobOperator.getObject());
		Runtime.getRuntime().addShutdownHook(hook);
		this.hooks.put(execution.getId(), hook);
	}

	@Override
	public void afterJob(JobExecution execution) {
		Thread hook = this.hooks.remove(execution.getId());
		if (hook != null) {
			try {
				Runtime.getRuntime().removeShutdownHook(hook);
			}
			catch (IllegalStateException ex) {
				// The JVM is already shutting down: the hook is running.
			}
		}
	}

}
