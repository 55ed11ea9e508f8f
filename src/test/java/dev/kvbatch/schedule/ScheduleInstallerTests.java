package dev.kvbatch.schedule;

import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The triggers {@code serve} installs: UTC, fire once now after a misfire, and a stored
 * trigger kept as it is when its cron is unchanged, so its misfire is still seen.
 */
class ScheduleInstallerTests {

	private Scheduler scheduler;

	@BeforeEach
	void scheduler() throws Exception {
		Properties properties = new Properties();
		properties.setProperty("org.quartz.scheduler.instanceName", "schedule-installer-tests");
		properties.setProperty("org.quartz.threadPool.threadCount", "1");
		properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
		this.scheduler = new StdSchedulerFactory(properties).getScheduler();
	}

	@AfterEach
	void shutdown() throws Exception {
		this.scheduler.shutdown();
	}

	@Test
	void aMissedFireRunsOnceNowInUtc() throws Exception {
		ScheduleInstaller.install(this.scheduler, new Schedules(Map.of("usage-report", "0 20 0 * * ?")));

		CronTrigger trigger = trigger("usage-report");
		assertThat(trigger.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
		assertThat(trigger.getTimeZone()).isEqualTo(TimeZone.getTimeZone("UTC"));
		assertThat(this.scheduler.getJobDetail(JobKey.jobKey("usage-report", ScheduleInstaller.GROUP))
			.getJobDataMap()
			.getString(ScheduledRun.JOB_NAME)).isEqualTo("usage-report");
	}

	@Test
	void keepsAnUnchangedTriggerReplacesAChangedOneAndDropsARemovedOne() throws Exception {
		ScheduleInstaller.install(this.scheduler,
				new Schedules(Map.of("compress", "0 5 * * * ?", "prune", "0 40 23 * * ?")));
		CronTrigger stored = trigger("compress");
		this.scheduler.rescheduleJob(stored.getKey(),
				stored.getTriggerBuilder().usingJobData("marker", "stored").build());

		ScheduleInstaller.install(this.scheduler, new Schedules(Map.of("compress", "0 5 * * * ?")));
		assertThat(trigger("compress").getJobDataMap().getString("marker")).as("kept as stored").isEqualTo("stored");
		assertThat(this.scheduler.checkExists(JobKey.jobKey("prune", ScheduleInstaller.GROUP))).isFalse();

		ScheduleInstaller.install(this.scheduler, new Schedules(Map.of("compress", "0 */10 * * * ?")));
		assertThat(trigger("compress").getCronExpression()).isEqualTo("0 */10 * * * ?");
	}

	private CronTrigger trigger(String name) throws Exception {
		return (CronTrigger) this.scheduler.getTrigger(TriggerKey.triggerKey(name, ScheduleInstaller.GROUP));
	}

}
