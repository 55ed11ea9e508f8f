package dev.kvbatch.report;

import dev.kvbatch.metering.Operation;
import dev.kvbatch.metering.Plan;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kvbatch.report.UsageReport.Compression;
import dev.kvbatch.report.UsageReport.Forecast;
import dev.kvbatch.report.UsageReport.OperationUsage;
import org.jspecify.annotations.Nullable;

/**
 * The report's arithmetic: percentages, zones, alerts, compression and forecasts. Pure
 * functions of counted figures, no I/O.
 */
public final class UsageCalculator {

	private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

	private UsageCalculator() {
	}

	/**
	 * The usage of each operation over the plan's period ending on {@code date}.
	 * @param kvbatch what kvbatch sent in the period, per operation
	 * @param account what the whole account did in the period, or null when unknown
	 */
	public static List<OperationUsage> operations(Plan plan, LocalDate date, Map<Operation, Long> kvbatch,
			@Nullable Map<Operation, Long> account) {
		List<OperationUsage> operations = new ArrayList<>();
		for (Operation operation : Operation.values()) {
			long own = kvbatch.getOrDefault(operation, 0L);
			Long whole = (account != null) ? account.getOrDefault(operation, 0L) : null;
			long used = (whole != null) ? Math.max(own, whole) : own;
			long limit = plan.limit(operation);
			double percent = percent(used, limit);
			Long projected = null;
			BigDecimal projectedCost = null;
			if (plan.monthly()) {
				projected = projectMonth(used, date);
				projectedCost = cost(plan, operation, projected);
			}
			operations.add(new OperationUsage(operation.label(), used, own, whole, limit, round(percent, 2),
					Zone.of(percent), projected, projectedCost));
		}
		return operations;
	}

	/** {@code used} as an exact percentage of {@code limit}. */
	public static double percent(long used, long limit) {
		return (limit > 0) ? used * 100.0 / limit : 0;
	}

	public static Zone worst(List<OperationUsage> operations) {
		Zone worst = Zone.SAFE;
		for (OperationUsage usage : operations) {
			if (usage.zone().compareTo(worst) > 0) {
				worst = usage.zone();
			}
		}
		return worst;
	}

	/** One line per operation at or above the alert threshold. */
	public static List<String> alerts(Plan plan, List<OperationUsage> operations) {
		List<String> alerts = new ArrayList<>();
		for (OperationUsage usage : operations) {
			if (usage.zone() == Zone.SAFE) {
				continue;
			}
			String consequence = plan.monthly() ? "operations beyond it are billed"
					: "Cloudflare refuses further " + plural(usage.operation()) + " at 100 % until 00:00 UTC";
			alerts.add("%s %s at %s %% of the %s (%,d of %,d): %s. What to do: %s".formatted(
					(usage.zone() == Zone.EXCEEDED) ? "EXCEEDED:" : "WARNING:", plural(usage.operation()),
					percentText(usage.percent()), limitName(plan), usage.used(), usage.limit(), consequence,
					advice(plan, usage)));
		}
		return alerts;
	}

	/** What an operator can do about an operation at or over 80 % of its limit. */
	static String advice(Plan plan, OperationUsage usage) {
		String others = (usage.account() != null && usage.account() > usage.kvbatch())
				? "other Workers and wrangler of the account spent %,d of them, kvbatch %,d; "
					.formatted(usage.account() - usage.kvbatch(), usage.kvbatch())
				: "";
		if (plan.monthly()) {
			return others + "lower kvbatch.budget." + plural(usage.operation())
					+ "-per-day to cap what kvbatch spends each day";
		}
		String operation = usage.operation();
		if (operation.equals(Operation.WRITE.label())) {
			String wait = (usage.zone() == Zone.EXCEEDED)
					? "keys Cloudflare refused stay dirty and go out after 00:00 UTC; "
					: "kvbatch stops at its budget (kvbatch.budget.headroom, 90 % by default) and sends the rest after"
							+ " 00:00 UTC; ";
			return others + wait
					+ "to need fewer writes, run compress less often or pack more keys into each physical key"
					+ " (jobs/packing.yaml), or move to the paid plan (kvbatch.plan=paid)";
		}
		if (operation.equals(Operation.DELETE.label())) {
			return others + "give entries a ttl instead of deleting them: KV expires keys for free";
		}
		if (operation.equals(Operation.LIST.label())) {
			return others + "kv list and run migrate list keys; run them less often";
		}
		return others + "kv get, kv list --json and migrate verify read keys; run them less often";
	}

	public static Compression compression(long logicalWrites, long kvWrites) {
		Double ratio = (kvWrites > 0) ? round((double) logicalWrites / kvWrites, 2) : null;
		return new Compression(logicalWrites, kvWrites, ratio);
	}

	/**
	 * Free plan: how many more staged operations fit in the writes left today, at the
	 * day's KV writes per staged operation, split by the day's mix of uploads and
	 * changes.
	 */
	public static Forecast freeForecast(long writeLimit, long writesUsed, long kvWrites, UsageReport.Staged staged) {
		long writesLeft = Math.max(0, writeLimit - writesUsed);
		long stagedOps = staged.puts() + staged.deletes();
		double perOp = (stagedOps > 0 && kvWrites > 0) ? (double) kvWrites / stagedOps : 1.0;
		long capacity = (long) Math.floor(writesLeft / perOp);
		long kinds = staged.uploads() + staged.changes();
		long uploads = (kinds > 0) ? Math.round((double) capacity * staged.uploads() / kinds) : 0;
		return new Forecast(writesLeft, round(perOp, 4), uploads, capacity - uploads, null, null);
	}

	/**
	 * Paid plan: the month's cost so far and projected at the pace of the days up to
	 * {@code date}.
	 */
	public static Forecast paidForecast(Plan plan, List<OperationUsage> operations) {
		BigDecimal toDate = BigDecimal.ZERO;
		BigDecimal projected = BigDecimal.ZERO;
		for (OperationUsage usage : operations) {
			Operation operation = Operation.valueOf(usage.operation().toUpperCase(Locale.ROOT));
			toDate = toDate.add(cost(plan, operation, usage.used()));
			projected = projected.add((usage.projectedCost() != null) ? usage.projectedCost() : BigDecimal.ZERO);
		}
		return new Forecast(null, null, null, null, toDate.setScale(2, RoundingMode.HALF_UP),
				projected.setScale(2, RoundingMode.HALF_UP));
	}

	/**
	 * The month's total at the pace of its first days up to and including {@code date}.
	 */
	public static long projectMonth(long usedToDate, LocalDate date) {
		return (long) Math.ceil((double) usedToDate * date.lengthOfMonth() / date.getDayOfMonth());
	}

	/** What {@code count} operations cost in a month beyond the plan's inclusion. */
	public static BigDecimal cost(Plan plan, Operation operation, long count) {
		long billed = Math.max(0, count - plan.limit(operation));
		return plan.pricePerMillion(operation)
			.multiply(BigDecimal.valueOf(billed))
			.divide(MILLION, 2, RoundingMode.HALF_UP);
	}

	/** {@code writes}, {@code reads}: how people count operations. */
	public static String plural(String operation) {
		return operation + "s";
	}

	/** 86 as {@code 86}, 86.25 as {@code 86.2}: a whole number when it is one. */
	public static String percentText(double percent) {
		// Truncated, not rounded, so that 79.99 % (safe) never reads as 80 % (warning).
		return BigDecimal.valueOf(percent).setScale(1, RoundingMode.DOWN).stripTrailingZeros().toPlainString();
	}

	static String limitName(Plan plan) {
		return plan.monthly() ? "paid plan's monthly inclusion" : "free plan's daily limit";
	}

	static double round(double value, int decimals) {
		return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
	}

}
