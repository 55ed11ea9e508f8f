package dev.kvbatch.report;

import dev.kvbatch.kv.cloudflare.AccountAnalytics;
import dev.kvbatch.metering.Operation;
import dev.kvbatch.metering.Plan;
import dev.kvbatch.metering.PlanProperties;
import dev.kvbatch.metering.StagedTally;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.kvbatch.report.UsageReport.AccountStatus;
import dev.kvbatch.report.UsageReport.Backlog;
import dev.kvbatch.report.UsageReport.DayPoint;
import dev.kvbatch.report.UsageReport.Forecast;
import dev.kvbatch.report.UsageReport.OperationUsage;
import dev.kvbatch.report.UsageReport.Period;
import dev.kvbatch.report.UsageReport.Staged;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Assembles the usage report of a day from the ledger sums the report job counted, the
 * backlog it found, and the tallies kept in the database.
 */
@Component
public class UsageReports {

	/** Days of history in the report and its chart. */
	public static final int HISTORY_DAYS = 14;

	private static final Log logger = LogFactory.getLog(UsageReports.class);

	private final PlanProperties properties;

	private final ReportData data;

	private final AccountAnalytics account;

	private final StalenessFigures staleness;

	public UsageReports(PlanProperties properties, ReportData data, AccountAnalytics account,
			StalenessFigures staleness) {
		this.properties = properties;
		this.staleness = staleness;
		this.data = data;
		this.account = account;
	}

	/**
	 * The first day whose ledger rows the report of {@code date} needs: the start of the
	 * plan's period or of the chart, whichever is earlier.
	 */
	public LocalDate firstDay(LocalDate date) {
		LocalDate period = this.properties.plan().periodStart(date);
		LocalDate history = date.minusDays(HISTORY_DAYS - 1);
		return period.isBefore(history) ? period : history;
	}

	/**
	 * The end of the day, or {@code now} for a day not over yet: the moment backlog and
	 * dead letters are counted at, so that a past day's report does not change with the
	 * time it is made.
	 */
	public static Instant asOf(LocalDate date, Instant now) {
		Instant end = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
		return now.isBefore(end) ? now : end;
	}

	/**
	 * @param ledger billed operations kvbatch sent per day and operation, from
	 * {@link #firstDay} to {@code date}
	 * @param pendingRows outbox rows staged by {@code asOf} and not yet applied
	 * @param oldestPendingStagedAt when the oldest of them was staged, or null
	 */
	public UsageReport build(LocalDate date, Instant asOf, Map<LocalDate, Map<Operation, Long>> ledger,
			long pendingRows, @Nullable Instant oldestPendingStagedAt) {
		Plan plan = this.properties.plan();
		LocalDate from = plan.periodStart(date);
		Map<Operation, Long> own = sum(ledger, from, date);
		Map<Operation, Long> whole = null;
		AccountStatus status = null;
		if (this.account.configured()) {
			try {
				whole = this.account.operations(from, date);
				status = new AccountStatus("cloudflare graphql", null);
			}
			catch (AccountAnalytics.AccountAnalyticsException ex) {
				logger.warn("Usage report of " + date + " goes without the account's figures: " + ex.getMessage());
				status = new AccountStatus("cloudflare graphql", ex.getMessage());
			}
		}
		List<OperationUsage> operations = UsageCalculator.operations(plan, date, own, whole);
		Map<LocalDate, StagedTally.Counts> stagedDays = this.data.staged(date.minusDays(HISTORY_DAYS - 1), date);
		StagedTally.Counts day = stagedDays.getOrDefault(date, new StagedTally.Counts(0, 0, 0, 0));
		Staged staged = new Staged(day.puts(), day.deletes(), day.uploads(), day.changes());
		Map<Operation, Long> today = sum(ledger, date, date);
		long kvWrites = today.getOrDefault(Operation.WRITE, 0L);
		Forecast forecast = plan.monthly() ? UsageCalculator.paidForecast(plan, operations)
				: UsageCalculator.freeForecast(plan.limit(Operation.WRITE),
						operations.get(Operation.WRITE.ordinal()).used(), kvWrites, staged);
		Long oldest = (oldestPendingStagedAt != null)
				? Math.max(0, Duration.between(oldestPendingStagedAt, asOf).toSeconds()) : null;
		return new UsageReport(date, plan.label(), new Period(from, date, plan.monthly() ? "month to date" : "day"),
				operations, UsageCalculator.worst(operations), UsageCalculator.alerts(plan, operations), staged,
				UsageCalculator.compression(day.total(), kvWrites + today.getOrDefault(Operation.DELETE, 0L)),
				new Backlog(pendingRows, oldest, this.data.keysDeferred(asOf), asOf), this.data.deadLetters(date, asOf),
				forecast, this.data.jobs(date), history(plan, date, ledger, stagedDays), status,
				this.staleness.on(date), this.data.readsSaved(date));
	}

	private static List<DayPoint> history(Plan plan, LocalDate date, Map<LocalDate, Map<Operation, Long>> ledger,
			Map<LocalDate, StagedTally.Counts> staged) {
		List<DayPoint> history = new ArrayList<>();
		for (LocalDate day = date.minusDays(HISTORY_DAYS - 1); !day.isAfter(date); day = day.plusDays(1)) {
			long limit = plan.monthly() ? plan.limit(Operation.WRITE) / day.lengthOfMonth()
					: plan.limit(Operation.WRITE);
			history.add(new DayPoint(day, ledger.getOrDefault(day, Map.of()).getOrDefault(Operation.WRITE, 0L),
					staged.getOrDefault(day, new StagedTally.Counts(0, 0, 0, 0)).total(), limit));
		}
		return history;
	}

	private static Map<Operation, Long> sum(Map<LocalDate, Map<Operation, Long>> ledger, LocalDate from, LocalDate to) {
		Map<Operation, Long> sum = new EnumMap<>(Operation.class);
		for (Operation operation : Operation.values()) {
			sum.put(operation, 0L);
		}
		ledger.forEach((day, operations) -> {
			if (!day.isBefore(from) && !day.isAfter(to)) {
				operations.forEach((operation, keys) -> sum.merge(operation, keys, Long::sum));
			}
		});
		return sum;
	}

}
