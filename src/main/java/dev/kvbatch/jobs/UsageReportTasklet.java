package dev.kvbatch.jobs;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;

import dev.kvbatch.report.ReportFiles;
import dev.kvbatch.report.ReportMailer;
import dev.kvbatch.report.UsageChart;
import dev.kvbatch.report.UsageReport;
import dev.kvbatch.report.UsageReports;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * The usage-report job's last step: builds the report from the sums the chunk steps
 * counted, writes its four files (rewritten whole on a rerun) and mails it when
 * recipients are set, unless the {@code mail} parameter says otherwise. A failed mail
 * fails the step; a restart writes and mails again.
 */
@Component
class UsageReportTasklet implements Tasklet {

	/** The report files, in the job's context, for the run summary and the CLI. */
	static final String FILES = JobRuns.REPORT_FILES;

	private final UsageReports reports;

	private final ReportFiles files;

	private final ReportMailer mailer;

	UsageReportTasklet(UsageReports reports, ReportFiles files, ReportMailer mailer) {
		this.reports = reports;
		this.files = files;
		this.mailer = mailer;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
		JobExecution job = chunkContext.getStepContext().getStepExecution().getJobExecution();
		var context = job.getExecutionContext();
		UsageReport report = this.reports.build(LocalDate.parse(context.getString(ReportDay.DATE)),
				Instant.ofEpochMilli(context.getLong(ReportDay.AS_OF)), ReportTotals.ledger(job),
				ReportTotals.pending(job), ReportTotals.oldestPending(job));
		byte[] chart = UsageChart.png(report);
		List<Path> written = this.files.write(report, chart);
		contribution.incrementWriteCount(written.size());
		context.putString(FILES, written.stream().map(Path::toString).collect(Collectors.joining(",")));
		String mail = job.getJobParameters().getString("mail");
		if ((mail == null) ? this.mailer.enabled() : JobParameterRules.isTrue(mail)) {
			this.mailer.send(report, chart);
			contribution.incrementWriteCount(1);
		}
		return RepeatStatus.FINISHED;
	}

}
