package dev.kvbatch.jobs;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import dev.kvbatch.report.ReportMailer;
import dev.kvbatch.report.UsageReports;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;

/**
 * Fixes the usage-report job's day once per instance: the {@code date} parameter, or
 * yesterday (UTC) by the injected clock. The day, the first ledger day it needs and the
 * as-of time go into the job's context, so a restart after midnight reports the same day
 * with the same figures.
 */
@Component
class ReportDay implements JobExecutionListener {

	static final String DATE = JobRuns.REPORT_DATE;

	static final String FROM = "usage.from";

	static final String AS_OF = "usage.asOf";

	private final Clock clock;

	private final UsageReports reports;

	ReportDay(Clock clock, UsageReports reports) {
		this.clock = clock;
		this.reports = reports;
	}

	/** The {@code date} parameter: a UTC day. */
	static void checkDate(String date) throws InvalidJobParametersException {
		try {
			LocalDate.parse(date);
		}
		catch (DateTimeParseException ex) {
			throw new InvalidJobParametersException("job parameter date must be YYYY-MM-DD, was \"" + date + "\"");
		}
	}

	/**
	 * Mailing is possible whenever the run would mail (with {@code mail=true}, or
	 * recipients set and no {@code mail} parameter), so that a missing SMTP setting is
	 * refused before the run rather than failing it at the end.
	 */
	static void checkMailing(@Nullable JobParameters parameters, ReportMailer mailer)
			throws InvalidJobParametersException {
		String mail = (parameters != null) ? parameters.getString("mail") : null;
		boolean mails = (mail == null) ? mailer.enabled() : JobParameterRules.isTrue(mail);
		String missing = mailer.missingSettings();
		if (mails && missing != null) {
			throw new InvalidJobParametersException(
					((mail != null) ? "job parameter mail=true" : "mailing the report") + " needs " + missing);
		}
	}

	@Override
	public void beforeJob(JobExecution execution) {
		var context = execution.getExecutionContext();
		if (context.containsKey(DATE)) {
			return;
		}
		String given = execution.getJobParameters().getString("date");
		LocalDate date = (given != null) ? LocalDate.parse(given)
				: LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC).minusDays(1);
		context.putString(DATE, date.toString());
		context.putString(FROM, this.reports.firstDay(date).toString());
		context.putLong(AS_OF, UsageReports.asOf(date, this.clock.instant()).toEpochMilli());
	}

}
