package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.kvbatch.jobs.JobRuns;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "executions", mixinStandardHelpOptions = true,
		description = "Lists recent executions: id, job, parameters, status, start, end, read and write counts.")
class ExecutionsCommand implements Callable<Integer> {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Option(names = "--job", paramLabel = "JOB", description = "only this job")
	String job;

	@Option(names = "--limit", paramLabel = "N", defaultValue = "20",
			description = "at most N (default ${DEFAULT-VALUE})")
	int limit;

	@Override
	public Integer call() {
		if (this.limit < 1) {
			throw new CommandException(ExitCodes.USAGE, "--limit must be 1 or more, was " + this.limit);
		}
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			PrintWriter out = this.spec.commandLine().getOut();
			out.printf("%-6s %-10s %-10s %-19s %-19s %9s %9s  %s%n", "ID", "JOB", "STATUS", "START", "END", "READ",
					"WRITTEN", "PARAMETERS");
			for (JobExecution execution : context.getBean(JobRuns.class).recent(this.job, this.limit)) {
				long read = execution.getStepExecutions().stream().mapToLong(StepExecution::getReadCount).sum();
				long written = execution.getStepExecutions().stream().mapToLong(StepExecution::getWriteCount).sum();
				String parameters = execution.getJobParameters()
					.parameters()
					.stream()
					.map((p) -> p.name() + "=" + p.value())
					.sorted()
					.collect(Collectors.joining(","));
				out.printf("%-6d %-10s %-10s %-19s %-19s %9d %9d  %s%n", execution.getId(),
						execution.getJobInstance().getJobName(), execution.getStatus(), time(execution.getStartTime()),
						time(execution.getEndTime()), read, written, parameters);
			}
			return ExitCodes.OK;
		}
	}

	private static String time(@Nullable LocalDateTime time) {
		return (time != null) ? TIME.format(time) : "-";
	}

}
