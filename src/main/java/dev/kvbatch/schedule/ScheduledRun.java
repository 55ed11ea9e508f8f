package dev.kvbatch.schedule;

import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.jobs.RunLockedException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.scheduling.quartz.QuartzJobBean;

/**
 * One fire of a schedule: runs the job named in the Quartz job's data with the scheduled
 * fire time as an identifying parameter ({@code schedule.at}), so each fire is its own
 * instance and a fire Quartz repeats after a crash restarts that instance. The catch-all
 * of the scheduler's edge: a failure is logged and left for {@code restart}.
 */
@DisallowConcurrentExecution
public class ScheduledRun extends QuartzJobBean {

	/** The key of the job name in the Quartz job's data. */
	public static final String JOB_NAME = "jobName";

	private static final Log logger = LogFactory.getLog(ScheduledRun.class);

	private final JobRuns runs;

	public ScheduledRun(JobRuns runs) {
		this.runs = runs;
	}

	@Override
	protected void executeInternal(JobExecutionContext context) {
		String jobName = context.getMergedJobDataMap().getString(JOB_NAME);
		String fireTime = context.getScheduledFireTime().toInstant().toString();
		try {
			JobParametersBuilder parameters = new JobParametersBuilder().addString("schedule.at", fireTime);
			if (context.getNextFireTime() != null) {
				// Not identifying: the fire is the instance; the next fire tells the
				// flush
				// which keys may wait for it.
				parameters.addString("schedule.next", context.getNextFireTime().toInstant().toString(), false);
			}
			JobExecution execution = this.runs.start(jobName, parameters.toJobParameters());
			logger.info(jobName + " fired for " + fireTime + ": execution " + execution.getId() + " "
					+ execution.getStatus());
		}
		catch (RunLockedException ex) {
			logger.warn(jobName + " fired for " + fireTime + " skipped: " + ex.getMessage());
		}
		catch (Exception ex) {
			logger.error(jobName + " fired for " + fireTime + " failed: " + ex.getMessage(), ex);
		}
	}

}
