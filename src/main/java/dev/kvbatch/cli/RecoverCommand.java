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

@Command(name = "recover", mixinStandardHelpOptions = true,
		description = "Marks an execution left STARTED by a killed process as FAILED, so it can be restarted.")
class RecoverCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Parameters(paramLabel = "EXECUTION_ID")
	long executionId;

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			JobExecution execution = context.getBean(JobRuns.class).recover(this.executionId);
			this.spec.commandLine().getOut().printf("execution %d: %s%n", execution.getId(), execution.getStatus());
			return ExitCodes.OK;
		}
	}

}
