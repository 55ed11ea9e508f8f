package dev.kvbatch.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.schedule.ScheduleInstaller;
import dev.kvbatch.schedule.Schedules;
import org.quartz.Scheduler;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "serve", mixinStandardHelpOptions = true,
		description = { "Runs until stopped and fires the jobs at the times that schedules.yaml in the",
				"jobs folder gives (Quartz cron expressions, UTC). SIGTERM or Ctrl-C stops the running job",
				"at its next chunk boundary (STOPPED, restartable)." })
class ServeCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		CountDownLatch stop = new CountDownLatch(1);
		Thread hook = new Thread(stop::countDown, "kvbatch-serve-stop");
		Runtime.getRuntime().addShutdownHook(hook);
		try (ConfigurableApplicationContext context = this.parent.contexts.serving()) {
			Schedules schedules = Schedules.read(context.getBean(KvBatchProperties.class).jobsDir(), JobRuns.JOBS);
			Scheduler scheduler = context.getBean(Scheduler.class);
			ScheduleInstaller.install(scheduler, schedules);
			scheduler.start();
			this.spec.commandLine().getErr().println("kvbatch: serving " + schedules.crons() + " (UTC)");
			stop.await();
			// Closing the context waits for the running job, which the shutdown hook of
			// the run has asked to stop.
			this.spec.commandLine().getErr().println("kvbatch: stopping");
		}
		finally {
			try {
				Runtime.getRuntime().removeShutdownHook(hook);
			}
			catch (IllegalStateException ex) {
				// The JVM is shutting down: the hook has run.
			}
		}
		return ExitCodes.OK;
	}

}
