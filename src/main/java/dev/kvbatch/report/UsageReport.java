package dev.kvbatch.report;

import dev.kvbatch.metering.Operation;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The usage report of one UTC day (contract §6): what kvbatch, and the whole account when
 * Cloudflare's analytics are configured, spent of the plan; what was staged; how much
 * packing saved; what is waiting; and the jobs that ran. A pure value: the same data
 * gives an equal report, so report files are rewritten byte for byte.
 *
 * @param date the UTC day reported on
 * @param plan {@code free} or {@code paid}
 * @param period the days the operations are counted over: the day (free) or the month up
 * to it (paid)
 * @param operations read, write, delete and list, in that order
 * @param worstZone the worst zone of the operations
 * @param alerts one line per operation at or above 80 % of its limit
 * @param staged logical operations staged that day
 * @param compression staged logical writes against what reached KV that day
 * @param backlog what is waiting to be sent, as of {@link Backlog#asOf()}
 * @param deadLetters refused input
 * @param forecast what fits in the rest of the day (free), or the month's cost (paid)
 * @param jobs the job executions started that day, oldest first
 * @param history the 14 days up to the date, oldest first, for the chart
 * @param account whether the whole account's figures came from Cloudflare; null when not
 * configured
 * @param staleness per rule, how long the day's writes waited against the rule's
 * freshness bound, and the keys the budget held past it
 * @param readsSaved KV reads {@code kvbatch serve} answered from its own state that day
 * instead of KV: reads KV neither served nor billed
 */
public record UsageReport(LocalDate date, String plan, Period period, List<OperationUsage> operations, Zone worstZone,
		List<String> alerts, Staged staged, Compression compression, Backlog backlog, DeadLetterCounts deadLetters,
		Forecast forecast, List<JobRun> jobs, List<DayPoint> history, @Nullable AccountStatus account,
		List<RuleStaleness> staleness, long readsSaved) {

	/** A report without reads saved. */
	public UsageReport(LocalDate date, String plan, Period period, List<OperationUsage> operations, Zone worstZone,
			List<String> alerts, Staged staged, Compression compression, Backlog backlog, DeadLetterCounts deadLetters,
			Forecast forecast, List<JobRun> jobs, List<DayPoint> history, @Nullable AccountStatus account,
			List<RuleStaleness> staleness) {
		this(date, plan, period, operations, worstZone, alerts, staged, compression, backlog, deadLetters, forecast,
				jobs, history, account, staleness, 0);
	}

	/** A report without staleness figures. */
	public UsageReport(LocalDate date, String plan, Period period, List<OperationUsage> operations, Zone worstZone,
			List<String> alerts, Staged staged, Compression compression, Backlog backlog, DeadLetterCounts deadLetters,
			Forecast forecast, List<JobRun> jobs, List<DayPoint> history, @Nullable AccountStatus account) {
		this(date, plan, period, operations, worstZone, alerts, staged, compression, backlog, deadLetters, forecast,
				jobs, history, account, List.of(), 0);
	}

	/** The breaches of the day, over every rule. */
	public long breaches() {
		return this.staleness.stream().mapToLong(RuleStaleness::breaches).sum();
	}

	/** The usage of one operation. */
	public OperationUsage operation(Operation operation) {
		return this.operations.stream()
			.filter((usage) -> usage.operation().equals(operation.label()))
			.findFirst()
			.orElseThrow();
	}

	/**
	 * Whether the day was over when the report was made: its forecast then says what was
	 * left unused, not what is left today.
	 */
	public boolean dayOver() {
		return !this.backlog.asOf().isBefore(this.date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
	}

	/**
	 * The operation closest to (or furthest over) its limit; on a tie writes first, since
	 * they are what runs out.
	 */
	public OperationUsage headline() {
		List<Operation> tieOrder = List.of(Operation.WRITE, Operation.DELETE, Operation.LIST, Operation.READ);
		return tieOrder.stream()
			.map(this::operation)
			.max(Comparator.comparingDouble(OperationUsage::exactPercent)
				.thenComparing((usage) -> -tieOrder.stream().map(Operation::label).toList().indexOf(usage.operation())))
			.orElseThrow();
	}

	/**
	 * @param from first day counted
	 * @param to last day counted (the report date)
	 * @param basis {@code day} or {@code month to date}
	 */
	public record Period(LocalDate from, LocalDate to, String basis) {
	}

	/**
	 * @param operation {@code read}, {@code write}, {@code delete} or {@code list}
	 * @param used the figure counted against the limit: the larger of kvbatch's and the
	 * account's
	 * @param kvbatch what kvbatch sent, from its ledger
	 * @param account what the whole account did, from Cloudflare's analytics; null when
	 * not available
	 * @param limit the plan's limit (free) or monthly inclusion (paid)
	 * @param percent {@code used} as a percentage of {@code limit}, to two decimals
	 * @param zone from the exact percentage
	 * @param projected paid plan: the month's projected total at the pace so far
	 * @param projectedCost paid plan: what the projected total beyond the inclusion costs
	 */
	public record OperationUsage(String operation, long used, long kvbatch, @Nullable Long account, long limit,
			double percent, Zone zone, @Nullable Long projected, @Nullable BigDecimal projectedCost) {

		double exactPercent() {
			return (this.limit > 0) ? this.used * 100.0 / this.limit : 0;
		}

	}

	public record Staged(long puts, long deletes, long uploads, long changes) {
	}

	/**
	 * @param logicalWrites staged puts and deletes: what direct writes would have cost
	 * @param kvWrites KV writes and deletes kvbatch really sent that day
	 * @param ratio {@code logicalWrites / kvWrites}, to two decimals; null when nothing
	 * was sent
	 */
	public record Compression(long logicalWrites, long kvWrites, @Nullable Double ratio) {
	}

	/**
	 * @param pendingRows outbox rows staged by {@code asOf} and not yet applied
	 * @param oldestPendingSeconds how long the oldest of them had waited at {@code asOf};
	 * null when none
	 * @param keysDeferred physical keys marked dirty and not yet sent
	 * @param asOf the end of the day, or the time of the report for today
	 */
	public record Backlog(long pendingRows, @Nullable Long oldestPendingSeconds, long keysDeferred, Instant asOf) {
	}

	/**
	 * @param created dead letters created that day
	 * @param total dead letters kept, as of the backlog's {@code asOf}
	 * @param open those of them neither staged again nor resolved
	 * ({@code kvbatch dead-letters})
	 */
	public record DeadLetterCounts(long created, long total, long open) {
	}

	/**
	 * @param writesLeft free plan: KV writes left of the day's limit
	 * @param kvWritesPerStagedOp free plan: KV writes per staged operation that day (1
	 * when nothing was staged or sent: direct writes)
	 * @param uploads free plan: staged uploads that still fit today at the day's mix
	 * @param changes free plan: staged changes that still fit today at the day's mix
	 * @param costToDate paid plan: what the month has cost so far beyond the inclusions
	 * @param projectedMonthCost paid plan: the month's projected cost at the pace so far
	 */
	public record Forecast(@Nullable Long writesLeft, @Nullable Double kvWritesPerStagedOp, @Nullable Long uploads,
			@Nullable Long changes, @Nullable BigDecimal costToDate, @Nullable BigDecimal projectedMonthCost) {
	}

	/**
	 * @param durationSeconds null while still running
	 */
	public record JobRun(long id, String job, String status, Instant start, @Nullable Instant end,
			@Nullable Double durationSeconds) {
	}

	/**
	 * One day of the chart.
	 *
	 * @param kvWrites KV writes kvbatch sent
	 * @param stagedWrites staged logical puts and deletes
	 * @param limit the day's write limit (paid: the month's inclusion spread over its
	 * days)
	 */
	public record DayPoint(LocalDate date, long kvWrites, long stagedWrites, long limit) {
	}

	/**
	 * @param source where the account's figures come from
	 * @param error why they are missing; null when they were read
	 */
	public record AccountStatus(String source, @Nullable String error) {
	}

	/**
	 * How fresh one rule's writes of the day were.
	 *
	 * @param rule the rule's name
	 * @param bound its freshness bound ({@code every run}, {@code within 6h}, ...)
	 * @param writes the writes and deletes of its keys that day
	 * @param p50Seconds the median time from the staging of the oldest change a write
	 * carried to its KV call; null without writes
	 * @param maxSeconds the longest such time; null without writes
	 * @param breaches keys the daily budget held past their bound that day
	 */
	public record RuleStaleness(String rule, String bound, long writes, @Nullable Long p50Seconds,
			@Nullable Long maxSeconds, long breaches) {
	}

}
