package dev.kvbatch.metering;

import java.time.LocalDate;

import dev.kvbatch.KvBatchProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * What kvbatch may still send today (UTC): the daily limit, minus what the ledger says
 * was sent today. The limit is the free plan's limit times the headroom, lowered by an
 * explicit cap; the paid plan has none unless a cap is set. Asked before each flush
 * chunk, so a run never passes it, and a new UTC day starts afresh.
 */
@Component
public class DailyBudget {

	private final Ledger ledger;

	private final BudgetProperties budget;

	private final Plan plan;

	private final String target;

	public DailyBudget(Ledger ledger, BudgetProperties budget, PlanProperties plan, KvBatchProperties properties) {
		this.ledger = ledger;
		this.budget = budget;
		this.plan = plan.plan();
		this.target = properties.target().label();
	}

	/**
	 * Operations of a kind that may still be sent today; {@link Long#MAX_VALUE} when
	 * unlimited.
	 */
	public long remaining(Operation operation) {
		LocalDate today = this.ledger.today();
		if (this.ledger.exhausted(today, this.target, operation)) {
			return 0;
		}
		Long limit = limit(operation);
		if (limit == null) {
			return Long.MAX_VALUE;
		}
		long spent = this.ledger.spentOn(today, this.target).get(operation);
		return Math.max(0, limit - spent);
	}

	/**
	 * Records that KV refused an operation kind for the rest of today (UTC): nothing of
	 * it is sent until 00:00.
	 */
	public void exhaust(Operation operation) {
		this.ledger.markExhausted(this.target, operation);
	}

	/** The daily limit of an operation kind, or {@code null} for none. */
	public @Nullable Long limit(Operation operation) {
		Long cap = this.budget.cap(operation);
		if (this.plan.monthly()) {
			return cap;
		}
		long share = (long) Math.floor(this.plan.limit(operation) * this.budget.headroom());
		return (cap != null) ? Math.min(cap, share) : share;
	}

}
