package dev.kvbatch.cli;

import java.util.Set;
import java.util.concurrent.Callable;

import dev.kvbatch.jobs.JobRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code stop}, {@code abandon} and {@code recover}: Spring Batch's operator actions on
 * one execution. Each checks the execution's status first, so that an action that does
 * not apply (stopping a finished run) is one line saying what would, and exit 2.
 */
final class OperatorCommands {

	/** What a killed process leaves behind, and what a live run shows. */
	static final Set<BatchStatus> RUNNING = Set.of(BatchStatus.STARTING, BatchStatus.STARTED, BatchStatus.STOPPING);

	private OperatorCommands() {
	}

	/** {@code execution 7 (compress) is COMPLETED}. */
	static String describe(JobExecution execution) {
		return "execution %d (%s) is %s".formatted(execution.getId(), execution.getJobInstance().getJobName(),
				execution.getStatus());
	}

	/**
	 * @throws CommandException (exit 2) if a restart cannot apply to the execution
	 */
	static void requireRestartable(JobRuns runs, JobExecution execution) {
		String job = execution.getJobInstance().getJobName();
		if (execution.getStatus() == BatchStatus.COMPLETED) {
			throw new CommandException(ExitCodes.USAGE,
					describe(execution) + ": nothing to restart; start a new run with kvbatch run " + job);
		}
		if (execution.getStatus() == BatchStatus.ABANDONED) {
			throw new CommandException(ExitCodes.USAGE,
					describe(execution) + ", so it is never restarted; start a new run with kvbatch run " + job);
		}
		JobExecution last = runs.lastOfInstance(execution);
		if (last.getId() != execution.getId()) {
			throw new CommandException(ExitCodes.USAGE,
					"execution %d (%s) was restarted as execution %d, which is %s%s".formatted(execution.getId(), job,
							last.getId(), last.getStatus(), (last.getStatus() == BatchStatus.COMPLETED)
									? ": nothing to restart" : ": restart that one, kvbatch restart " + last.getId()));
		}
	}

	/** Applies an action to an execution and prints its status afterwards. */
	abstract static class OnExecution implements Callable<Integer> {

		@ParentCommand
		KvBatchCommand parent;

		@Spec
		CommandSpec spec;

		@Parameters(paramLabel = "EXECUTION_ID")
		long executionId;

		/**
		 * @throws CommandException if the action does not apply to the execution's status
		 */
		abstract void check(JobExecution execution);

		abstract JobExecution apply(JobRuns runs, long executionId) throws Exception;

		@Override
		public Integer call() throws Exception {
			try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
				JobRuns runs = context.getBean(JobRuns.class);
				check(runs.execution(this.executionId));
				JobExecution execution = apply(runs, this.executionId);
				this.spec.commandLine().getOut().printf("execution %d: %s%n", execution.getId(), execution.getStatus());
				return ExitCodes.OK;
			}
		}

	}

	@Command(name = "stop", mixinStandardHelpOptions = true,
			description = "Asks a running execution to stop at its next chunk boundary; it ends STOPPED and can be restarted.")
	static class Stop extends OnExecution {

		@Override
		void check(JobExecution execution) {
			if (!RUNNING.contains(execution.getStatus())) {
				throw new CommandException(ExitCodes.USAGE,
						describe(execution) + ", not running: there is nothing to stop");
			}
		}

		@Override
		JobExecution apply(JobRuns runs, long executionId) throws Exception {
			return runs.stop(executionId);
		}

	}

	@Command(name = "abandon", mixinStandardHelpOptions = true,
			description = "Marks a STOPPED or FAILED execution ABANDONED so it is never restarted.")
	static class Abandon extends OnExecution {

		@Override
		void check(JobExecution execution) {
			if (RUNNING.contains(execution.getStatus())) {
				throw new CommandException(ExitCodes.USAGE, describe(execution)
						+ ": stop it first (or recover it, if the process that ran it was killed), then abandon it");
			}
			if (execution.getStatus() == BatchStatus.COMPLETED) {
				throw new CommandException(ExitCodes.USAGE,
						describe(execution) + ": only a STOPPED or FAILED execution can be abandoned");
			}
		}

		@Override
		JobExecution apply(JobRuns runs, long executionId) throws Exception {
			return runs.abandon(executionId);
		}

	}

	@Command(name = "recover", mixinStandardHelpOptions = true,
			description = "Marks an execution left STARTED by a killed process as FAILED, so it can be restarted.")
	static class Recover extends OnExecution {

		@Override
		void check(JobExecution execution) {
			if (!RUNNING.contains(execution.getStatus())) {
				throw new CommandException(ExitCodes.USAGE, describe(execution)
						+ ": recover is for an execution a killed process left STARTED; there is nothing to recover");
			}
		}

		@Override
		JobExecution apply(JobRuns runs, long executionId) {
			return runs.recover(executionId);
		}

	}

}
