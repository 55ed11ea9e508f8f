package dev.kvbatch.usage;

import java.math.BigDecimal;
import java.time.Duration;

import dev.kvbatch.usage.UsageReport.Backlog;
import dev.kvbatch.usage.UsageReport.Compression;
import dev.kvbatch.usage.UsageReport.Forecast;
import dev.kvbatch.usage.UsageReport.JobRun;
import dev.kvbatch.usage.UsageReport.OperationUsage;
import dev.kvbatch.usage.UsageReport.Staged;

/** The report as plain text for a terminal and for the mail's text part. */
public final class TextReport {

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
		Staged staged = report.staged();
		text.append("%-13s %,d puts, %,d deletes (%,d uploads, %,d changes)%n".formatted("staged", staged.puts(),
				staged.deletes(), staged.uploads(), staged.changes()));
		Compression compression = report.compression();
		text.append("%-13s %,d logical writes (direct cost) became %,d KV writes and deletes%s%n".formatted(
				"compression", compression.logicalWrites(), compression.kvWrites(),
				(compression.ratio() != null) ? ": %s× fewer".formatted(compression.ratio()) : ""));
		Backlog backlog = report.backlog();
		text.append("%-13s %,d outbox rows pending (oldest %s), %,d physical keys deferred, as of %s%n".formatted(
				"backlog", backlog.pendingRows(), age(backlog.oldestPendingSeconds()), backlog.keysDeferred(),
				backlog.asOf()));
		text.append("%-13s %,d created that day, %,d kept%n".formatted("dead letters", report.deadLetters().created(),
				report.deadLetters().total()));
		text.append("%-13s %s%n".formatted("forecast", forecast(report.forecast())));
		text.append('\n');
		text.append("jobs that ran that day: %d%n".formatted(report.jobs().size()));
		for (JobRun run : report.jobs()) {
			text.append("  %6d %-12s %-10s %s %s%n".formatted(run.id(), run.job(), run.status(), run.start(),
					(run.durationSeconds() != null) ? "%.1f s".formatted(run.durationSeconds()) : "running"));
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

	static String forecast(Forecast forecast) {
		if (forecast.projectedMonthCost() != null) {
			return "$%s beyond the inclusions so far this month; $%s projected for the month"
				.formatted(money(forecast.costToDate()), money(forecast.projectedMonthCost()));
		}
		return "%,d KV writes left today: about %,d more uploads and %,d more changes at the day's mix (%s KV writes per staged operation)"
			.formatted(forecast.writesLeft(), forecast.uploads(), forecast.changes(), forecast.kvWritesPerStagedOp());
	}

	static String age(Long seconds) {
		if (seconds == null) {
			return "-";
		}
		Duration age = Duration.ofSeconds(seconds);
		if (age.toHours() > 0) {
			return "%dh %02dm".formatted(age.toHours(), age.toMinutesPart());
		}
		return "%dm %02ds".formatted(age.toMinutes(), age.toSecondsPart());
	}

	static String money(BigDecimal amount) {
		return (amount != null) ? amount.toPlainString() : "-";
	}

}
