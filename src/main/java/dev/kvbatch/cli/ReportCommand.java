package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.report.ReportFiles;
import dev.kvbatch.report.ReportFormat;
import dev.kvbatch.report.ReportMailer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "report", mixinStandardHelpOptions = true,
		description = { "Prints, or mails, the usage report of a UTC day.",
				"It shows KV operations against the plan's limits, what was staged, compression, backlog,",
				"dead letters, a forecast and the jobs that ran. Runs the usage-report job, which also",
				"writes <data-dir>/reports/usage-<date>.{json,csv,txt,html}." })
class ReportCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Option(names = "--date", paramLabel = "YYYY-MM-DD",
			description = "the UTC day, or today or yesterday (default: yesterday)")
	String date;

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
		if (this.date != null && !List.of("today", "yesterday").contains(this.date)) {
			try {
				LocalDate.parse(this.date);
			}
			catch (DateTimeParseException ex) {
				throw new CommandException(ExitCodes.USAGE,
						"--date must be a UTC day as YYYY-MM-DD (e.g. 2026-11-23), today or yesterday, was \""
								+ this.date + "\"");
			}
		}
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("mail", String.valueOf(this.email));
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			if (this.email) {
				String missing = context.getBean(ReportMailer.class).missingSettings();
				if (missing != null) {
					throw new CommandException(ExitCodes.USAGE, "--email needs " + missing);
				}
			}
			if ("today".equals(this.date)) {
				parameters.put("date", LocalDate.now(context.getBean(Clock.class).withZone(ZoneOffset.UTC)).toString());
			}
			else if (this.date != null && !"yesterday".equals(this.date)) {
				parameters.put("date", this.date);
			}
			// The job's day defaults to yesterday by the job's clock.
			JobExecution execution = context.getBean(JobRuns.class).start("usage-report", parameters);
			PrintWriter out = this.spec.commandLine().getOut();
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return RunSummary.print(context, execution, out, this.spec.commandLine().getErr(),
						this.parent.contexts.debug());
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
