package dev.kvbatch.schedule;

import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * Makes the persistent Quartz store match the schedules: a trigger whose cron is
 * unchanged is kept as stored, so a fire missed while kvbatch was down is seen as a
 * misfire and runs once at start-up ({@code MISFIRE_INSTRUCTION_FIRE_ONCE_NOW}); a
 * changed one is replaced, a removed one deleted.
 */
public final class ScheduleInstaller {

	static final String GROUP = "kvbatch";

	private ScheduleInstaller() {
	}

	public static void install(Scheduler scheduler, Schedules schedules) throws SchedulerException {
		for (Map.Entry<String, String> entry : schedules.crons().entrySet()) {
			TriggerKey key = TriggerKey.triggerKey(entry.getKey(), GROUP);
			Trigger stored = scheduler.getTrigger(key);
			if (stored instanceof CronTrigger cron && cron.getCronExpression().equals(entry.getValue())) {
				continue;
			}
			JobDetail job = JobBuilder.newJob(ScheduledRun.class)
				.withIdentity(entry.getKey(), GROUP)
				.usingJobData(ScheduledRun.JOB_NAME, entry.getKey())
				.storeDurably()
				.requestRecovery()
				.build();
			Trigger trigger = TriggerBuilder.newTrigger()
				.withIdentity(key)
				.forJob(job)
				.withSchedule(CronScheduleBuilder.cronSchedule(entry.getValue())
					.inTimeZone(TimeZone.getTimeZone("UTC"))
					.withMisfireHandlingInstructionFireAndProceed())
				.build();
			scheduler.scheduleJob(job, Set.of(trigger), true);
		}
		for (JobKey job : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
			if (!schedules.crons().containsKey(job.getName())) {
				scheduler.deleteJob(job);
			}
		}
	}

}
