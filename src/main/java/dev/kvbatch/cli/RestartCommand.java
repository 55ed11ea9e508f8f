package dev.kvbatch.cli;

import java.util.concurrent.Callable;

import dev.kvbatch.jobs.JobRuns;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "restart", mixinStandardHelpOptions = true,
		description = "Restarts a FAILED or STOPPED execution from its last committed chunk "
				+ "(one left STARTED by a killed process is recovered first).")
class RestartCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@ArgGroup(exclusive = true, multiplicity = "1")
	Target target;

	static class Target {

		@Parameters(paramLabel = "EXECUTION_ID", description = "the execution to restart")
		Long executionId;

		@Option(names = "--last", paramLabel = "JOB", description = "the newest execution of this job")
		String lastOf;

	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			JobRuns runs = context.getBean(JobRuns.class);
			long id = (this.target.executionId != null) ? this.target.executionId : lastRestartable(runs);
			OperatorCommands.requireRestartable(runs, runs.execution(id));
			JobExecution execution = runs.restart(id);
			return RunSummary.print(context, execution, this.spec.commandLine().getOut(),
					this.spec.commandLine().getErr(), this.parent.contexts.debug());
		}
	}

	private long lastRestartable(JobRuns runs) {
		JobExecution last = runs.last(this.target.lastOf)
			.orElseThrow(() -> new CommandException(ExitCodes.USAGE, "job " + this.target.lastOf + " never ran"));
		if (last.getStatus() == BatchStatus.COMPLETED || last.getStatus() == BatchStatus.ABANDONED) {
			throw new CommandException(ExitCodes.USAGE,
					"the last %s run (execution %d) is %s: nothing to restart; start a new run with kvbatch run %s"
						.formatted(this.target.lastOf, last.getId(), last.getStatus(), this.target.lastOf));
		}
		return last.getId();
	}

}
