package dev.kvbatch.report;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import dev.kvbatch.JobNames;

import org.jspecify.annotations.Nullable;

import dev.kvbatch.report.UsageReport.Backlog;
import dev.kvbatch.report.UsageReport.Compression;
import dev.kvbatch.report.UsageReport.Forecast;
import dev.kvbatch.report.UsageReport.JobRun;
import dev.kvbatch.report.UsageReport.OperationUsage;
import dev.kvbatch.report.UsageReport.Staged;

/**
 * The report as plain text for a terminal and for the mail's text part. The sentences
 * (staged, compression, backlog, dead letters, forecast, jobs) are shared with the HTML
 * form, so both say the same.
 */
public final class TextReport {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

	private TextReport() {
	}

	public static String render(UsageReport report) {
		StringBuilder text = new StringBuilder();
		text.append("kvbatch usage report for %s (UTC), %s plan, %s%n".formatted(report.date(), report.plan(),
				report.period().basis().equals("day") ? "limits per UTC day"
						: "month to date (%s to %s) against monthly inclusions".formatted(report.period().from(),
								report.period().to())));
		text.append("status: %s%n".formatted(headline(report)));
		for (String alert : report.alerts()) {
			text.append("ALERT ").append(alert).append('\n');
		}
		text.append('\n');
		boolean account = report.account() != null;
		text.append("%-10s %12s %12s %9s  %-8s%s%n".formatted("operation", "used", "limit", "percent", "zone",
				account ? "  %12s %12s".formatted("kvbatch", "account") : ""));
		for (OperationUsage usage : report.operations()) {
			text.append(
					"%-10s %,12d %,12d %7s %%  %-8s%s%n"
						.formatted(usage.operation(), usage.used(), usage.limit(),
								UsageCalculator.percentText(usage.percent()), usage.zone().label(), account
										? "  %,12d %12s".formatted(usage.kvbatch(),
												(usage.account() != null) ? "%,d".formatted(usage.account()) : "-")
										: ""));
		}
		if (report.account() != null && report.account().error() != null) {
			text.append("account figures missing: ").append(report.account().error()).append('\n');
		}
		text.append('\n');
		text.append("%-13s %s%n".formatted("staged", staged(report.staged())));
		text.append("%-13s %s%n".formatted("compression", compression(report.compression())));
		text.append("%-13s %s%n".formatted("reads", readsSaved(report.readsSaved())));
		text.append("%-13s %s%n".formatted("backlog", backlog(report.backlog())));
		text.append("%-13s %s%n".formatted("dead letters", deadLetters(report.deadLetters())));
		text.append("%-13s %s%n".formatted("forecast", forecast(report)));
		text.append(StalenessSection.text(report));
		text.append('\n');
		JobsSummary jobs = JobsSummary.of(report.jobs());
		text.append("jobs that ran that day: %s%n".formatted(jobsLine(jobs)));
		for (JobsSummary.Job job : jobs.jobs()) {
			text.append("  %-12s %s%n".formatted(job.job(), jobLine(job)));
		}
		for (JobRun run : jobs.failed()) {
			text.append("  %s%n".formatted(failedLine(run)));
		}
		return text.toString().replaceAll("(?m) +$", "");
	}

	/** {@code WARNING — writes at 86 % of the free plan's daily limit}. */
	public static String headline(UsageReport report) {
		OperationUsage top = report.headline();
		String zone = (report.worstZone() == Zone.SAFE) ? "OK" : report.worstZone().name();
		return "%s — %s at %s %% of the %s plan".formatted(zone, UsageCalculator.plural(top.operation()),
				UsageCalculator.percentText(top.percent()), report.plan());
	}

	static String staged(Staged staged) {
		return "%s, %s (%s, %s)".formatted(count(staged.puts(), "put"), count(staged.deletes(), "delete"),
				count(staged.uploads(), "upload"), count(staged.changes(), "change"));
	}

	/**
	 * {@code 1,224 logical writes (direct cost) became 185 KV writes and deletes: 6.62× fewer}.
	 */
	public static String compression(Compression compression) {
		return "%s (direct cost) became %s%s".formatted(count(compression.logicalWrites(), "logical write"),
				count(compression.kvWrites(), "KV write and delete", "KV writes and deletes"),
				(compression.ratio() != null) ? ": %s× fewer".formatted(compression.ratio()) : "");
	}

	/**
	 * {@code KV reads saved 1,204: answered by kvbatch serve from its own state, not
	 * billed by KV}.
	 */
	static String readsSaved(long reads) {
		return "KV reads saved %,d: answered by kvbatch serve from its own state, not billed by KV".formatted(reads);
	}

	static String backlog(Backlog backlog) {
		return "%s pending (oldest %s), %s deferred, as of %s".formatted(count(backlog.pendingRows(), "outbox row"),
				age(backlog.oldestPendingSeconds()), count(backlog.keysDeferred(), "physical key"), backlog.asOf());
	}

	static String deadLetters(UsageReport.DeadLetterCounts letters) {
		return "%,d created that day, %,d kept%s".formatted(letters.created(), letters.total(), (letters.open() > 0)
				? ", %,d open: kvbatch dead-letters --open lists them".formatted(letters.open()) : "");
	}

	/**
	 * What still fits: the free plan's writes left (today), or left unused (a past day);
	 * on the paid plan, the month's cost.
	 */
	static String forecast(UsageReport report) {
		Forecast forecast = report.forecast();
		if (forecast.projectedMonthCost() != null) {
			return "$%s beyond the inclusions so far this month; $%s projected for the month"
				.formatted(money(forecast.costToDate()), money(forecast.projectedMonthCost()));
		}
		long left = (forecast.writesLeft() != null) ? forecast.writesLeft() : 0;
		long room = ((forecast.uploads() != null) ? forecast.uploads() : 0)
				+ ((forecast.changes() != null) ? forecast.changes() : 0);
		String mix = "%,d uploads and %,d changes".formatted(forecast.uploads(), forecast.changes());
		String rate = "%s KV writes per staged operation".formatted(forecast.kvWritesPerStagedOp());
		if (report.dayOver()) {
			if (left == 0) {
				return "the day ended with its KV writes all used";
			}
			return "the day ended with %s unused: room for about %,d more %s (%s) at that day's %s"
				.formatted(count(left, "KV write"), room, operations(room), mix, rate);
		}
		if (left == 0) {
			return "no KV writes left today: what is staged now goes out after 00:00 UTC";
		}
		return "room for about %,d more %s today (%s at today's mix): %s left, at %s".formatted(room, operations(room),
				mix, count(left, "KV write"), rate);
	}

	private static String operations(long n) {
		return (n == 1) ? "staged operation" : "staged operations";
	}

	/** {@code 25 runs, 1 failed, 6.2 s in all}. */
	static String jobsLine(JobsSummary jobs) {
		long failed = jobs.failed().size();
		return "%s, %,d failed, %.1f s in all".formatted(count(jobs.runs(), "run"), failed, jobs.totalSeconds());
	}

	/** {@code 24 runs, 0 failed, slowest 0.4 s (execution 41), 5.9 s in all}. */
	static String jobLine(JobsSummary.Job job) {
		StringBuilder line = new StringBuilder("%s, %,d failed".formatted(count(job.runs(), "run"), job.failed()));
		if (job.running() > 0) {
			line.append(", %,d running".formatted(job.running()));
		}
		if (job.slowest() != null) {
			line.append(
					", slowest %.1f s (execution %d)".formatted(job.slowest().durationSeconds(), job.slowest().id()));
		}
		if (job.runs() > 1) {
			line.append(", %.1f s in all".formatted(job.totalSeconds()));
		}
		return line.toString();
	}

	/**
	 * {@code FAILED: compress execution 43 at 05:00:02 UTC (0.3 s); kvbatch restart 43
	 * resumes it}.
	 */
	static String failedLine(JobRun run) {
		String took = (run.durationSeconds() != null) ? ", %.1f s".formatted(run.durationSeconds()) : "";
		String next = run.job().equals(JobNames.COMPRESS)
				? "the next compress does its work, or kvbatch restart " + run.id()
				: "kvbatch restart " + run.id() + " resumes it";
		return "%s: %s execution %d at %s UTC%s; %s".formatted(run.status(), run.job(), run.id(),
				TIME.format(run.start()), took, next);
	}

	/** {@code 1 delete}, {@code 2 deletes}, {@code 1,000 KV writes}. */
	static String count(long n, String singular) {
		return count(n, singular, singular + "s");
	}

	static String count(long n, String singular, String plural) {
		return "%,d %s".formatted(n, (n == 1) ? singular : plural);
	}

	static String age(@Nullable Long seconds) {
		if (seconds == null) {
			return "-";
		}
		Duration age = Duration.ofSeconds(seconds);
		if (age.toHours() > 0) {
			return "%dh %02dm".formatted(age.toHours(), age.toMinutesPart());
		}
		return "%dm %02ds".formatted(age.toMinutes(), age.toSecondsPart());
	}

	static String money(@Nullable BigDecimal amount) {
		return (amount != null) ? amount.toPlainString() : "-";
	}

}
