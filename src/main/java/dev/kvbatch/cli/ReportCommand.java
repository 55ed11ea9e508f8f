package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.usage.ReportFiles;
import dev.kvbatch.usage.ReportFormat;
import dev.kvbatch.usage.ReportMailer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "report", mixinStandardHelpOptions = true,
		description = { "Prints, or mails, the usage report of a UTC day: KV operations against the",
				"plan's limits, what was staged, compression, backlog, dead letters, forecast",
				"and the jobs that ran. Runs the usage-report job, which also writes",
				"<data-dir>/reports/usage-<date>.{json,csv,txt,html}." })
class ReportCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "the UTC day (default: yesterday)")
	LocalDate date;

	@Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
			description = "text, json, csv or html (default ${DEFAULT-VALUE})")
	String format;

	@Option(names = "--email",
			description = "mail the report to kvbatch.report.mail.to instead of printing it (needs spring.mail.host)")
	boolean email;

	@Override
	public Integer call() throws Exception {
		ReportFormat reportFormat;
		try {
			reportFormat = ReportFormat.of(this.format);
		}
		catch (IllegalArgumentException ex) {
			throw new CommandException(ExitCodes.USAGE,
					"--format must be text, json, csv or html, was \"" + this.format + "\"");
		}
		Map<String, String> parameters = new LinkedHashMap<>();
		if (this.date != null) {
			parameters.put("date", this.date.toString());
		}
		parameters.put("mail", String.valueOf(this.email));
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			if (this.email && !context.getBean(ReportMailer.class).enabled()) {
				throw new CommandException(ExitCodes.USAGE,
						"--email needs kvbatch.report.mail.to (KVBATCH_REPORT_MAIL_TO) and spring.mail.host");
			}
			JobExecution execution = context.getBean(JobRuns.class).start("usage-report", parameters);
			PrintWriter out = this.spec.commandLine().getOut();
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return RunSummary.print(context, execution, out, this.spec.commandLine().getErr());
			}
			LocalDate day = LocalDate.parse(execution.getExecutionContext().getString(JobRuns.REPORT_DATE));
			if (this.email) {
				out.printf("usage report of %s mailed%n", day);
			}
			else {
				out.print(Files.readString(context.getBean(ReportFiles.class).path(day, reportFormat),
						StandardCharsets.UTF_8));
			}
			return ExitCodes.OK;
		}
	}

}
