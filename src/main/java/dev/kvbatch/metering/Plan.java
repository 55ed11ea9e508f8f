package dev.kvbatch.metering;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Locale;

/**
 * Cloudflare Workers KV plans: the free plan's limits are per UTC day and refuse further
 * operations once reached; the paid plan includes a monthly amount of each operation and
 * bills the rest per million.
 */
public enum Plan {

	FREE(new long[] { 100_000, 1_000, 1_000, 1_000 },
			new BigDecimal[] { BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO }),

	PAID(new long[] { 10_000_000, 1_000_000, 1_000_000, 1_000_000 }, new BigDecimal[] { new BigDecimal("0.50"),
			new BigDecimal("5.00"), new BigDecimal("5.00"), new BigDecimal("5.00") });

	private final long[] limits;

	private final BigDecimal[] pricesPerMillion;

	Plan(long[] limits, BigDecimal[] pricesPerMillion) {
		this.limits = limits;
		this.pricesPerMillion = pricesPerMillion;
	}

	/**
	 * What the plan allows of an operation in its period: a UTC day (free) or a month
	 * (paid, included before billing).
	 */
	public long limit(Operation operation) {
		return this.limits[operation.ordinal()];
	}

	/** The price of each million operations beyond the limit (0 on the free plan). */
	public BigDecimal pricePerMillion(Operation operation) {
		return this.pricesPerMillion[operation.ordinal()];
	}

	/** Whether limits are counted per month (paid) rather than per UTC day (free). */
	public boolean monthly() {
		return this == PAID;
	}

	/** The first day of the period that contains {@code day}. */
	public LocalDate periodStart(LocalDate day) {
		return monthly() ? day.withDayOfMonth(1) : day;
	}

	/** {@code free} or {@code paid}, as in the {@code kvbatch.plan} setting. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

}
