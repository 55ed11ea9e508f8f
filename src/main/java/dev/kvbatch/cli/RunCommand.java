package dev.kvbatch.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kvbatch.jobs.JobRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "run", mixinStandardHelpOptions = true,
		description = "Runs a job once: ingest, compress, prune, usage-report or migrate.")
class RunCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Parameters(index = "0", paramLabel = "JOB",
			description = "ingest, compress, prune, usage-report (date=YYYY-MM-DD, default yesterday UTC) or migrate (at=YYYY-MM-DD)")
	String job;

	@Parameters(index = "1..*", paramLabel = "NAME=VALUE", description = "identifying job parameters")
	List<String> parameters = List.of();

	@Override
	public Integer call() throws Exception {
		if (!JobRuns.JOBS.contains(this.job)) {
			throw new CommandException(ExitCodes.USAGE, "unknown job \"" + this.job + "\"; jobs: "
					+ String.join(", ", JobRuns.JOBS.stream().sorted().toList()));
		}
		Map<String, String> params = new LinkedHashMap<>();
		for (String parameter : this.parameters) {
			int eq = parameter.indexOf('=');
			if (eq < 1) {
				throw new CommandException(ExitCodes.USAGE, "job parameter \"" + parameter + "\" is not NAME=VALUE");
			}
			params.put(parameter.substring(0, eq), parameter.substring(eq + 1));
		}
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			JobExecution execution = context.getBean(JobRuns.class).start(this.job, params);
			return RunSummary.print(context, execution, this.spec.commandLine().getOut(),
					this.spec.commandLine().getErr(), this.parent.contexts.debug());
		}
	}

}
