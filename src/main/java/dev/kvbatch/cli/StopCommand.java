package dev.kvbatch.cli;

import java.util.concurrent.Callable;

import dev.kvbatch.jobs.JobRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "stop", mixinStandardHelpOptions = true,
		description = "Asks a running execution to stop at its next chunk boundary; it ends STOPPED and can be restarted.")
class StopCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Parameters(paramLabel = "EXECUTION_ID")
	long executionId;

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			JobExecution execution = context.getBean(JobRuns.class).stop(this.executionId);
			this.spec.commandLine().getOut().printf("execution %d: %s%n", execution.getId(), execution.getStatus());
			return ExitCodes.OK;
		}
	}

}
