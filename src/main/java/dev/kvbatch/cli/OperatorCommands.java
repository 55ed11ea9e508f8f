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

/**
 * {@code stop}, {@code abandon} and {@code recover}: Spring Batch's operator actions on
 * one execution.
 */
final class OperatorCommands {

	private OperatorCommands() {
	}

	/** Applies an action to an execution and prints its status afterwards. */
	abstract static class OnExecution implements Callable<Integer> {

		@ParentCommand
		KvBatchCommand parent;

		@Spec
		CommandSpec spec;

		@Parameters(paramLabel = "EXECUTION_ID")
		long executionId;

		abstract JobExecution apply(JobRuns runs, long executionId) throws Exception;

		@Override
		public Integer call() throws Exception {
			try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
				JobExecution execution = apply(context.getBean(JobRuns.class), this.executionId);
				this.spec.commandLine().getOut().printf("execution %d: %s%n", execution.getId(), execution.getStatus());
				return ExitCodes.OK;
			}
		}

	}

	@Command(name = "stop", mixinStandardHelpOptions = true,
			description = "Asks a running execution to stop at its next chunk boundary; it ends STOPPED and can be restarted.")
	static class Stop extends OnExecution {

		@Override
		JobExecution apply(JobRuns runs, long executionId) throws Exception {
			return runs.stop(executionId);
		}

	}

	@Command(name = "abandon", mixinStandardHelpOptions = true,
			description = "Marks a STOPPED or FAILED execution ABANDONED so it is never restarted.")
	static class Abandon extends OnExecution {

		@Override
		JobExecution apply(JobRuns runs, long executionId) throws Exception {
			return runs.abandon(executionId);
		}

	}

	@Command(name = "recover", mixinStandardHelpOptions = true,
			description = "Marks an execution left STARTED by a killed process as FAILED, so it can be restarted.")
	static class Recover extends OnExecution {

		@Override
		JobExecution apply(JobRuns runs, long executionId) {
			return runs.recover(executionId);
		}

	}

}
