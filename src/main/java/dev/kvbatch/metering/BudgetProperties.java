package dev.kvbatch.metering;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How much of KV's daily operations kvbatch may spend.
 *
 * @param headroom share of the free plan's daily limit kvbatch may spend
 * ({@code KVBATCH_BUDGET_HEADROOM}), leaving the rest to the app's own calls
 * @param writesPerDay a lower cap on writes per UTC day, or a cap for the paid plan
 * ({@code KVBATCH_BUDGET_WRITES_PER_DAY})
 * @param deletesPerDay the same for deletes ({@code KVBATCH_BUDGET_DELETES_PER_DAY})
 * @param listsPerDay the same for lists ({@code KVBATCH_BUDGET_LISTS_PER_DAY})
 */
@ConfigurationProperties("kvbatch.budget")
public record BudgetProperties(@DefaultValue("0.9") double headroom, @Nullable Long writesPerDay,
		@Nullable Long deletesPerDay, @Nullable Long listsPerDay) {

	public BudgetProperties {
		if (headroom <= 0 || headroom > 1) {
			throw new IllegalArgumentException(
					"kvbatch.budget.headroom must be above 0 and at most 1, was " + headroom);
		}
	}

	@Nullable Long cap(Operation operation) {
		if (operation == Operation.WRITE) {
			return this.writesPerDay;
		}
		if (operation == Operation.DELETE) {
			return this.deletesPerDay;
		}
		return (operation == Operation.LIST) ? this.listsPerDay : null;
	}

}
