package dev.kvbatch.metrics;

import java.util.Set;
import java.util.function.ToDoubleFunction;

import dev.kvbatch.metering.Operation;
import dev.kvbatch.report.UsageReport.RuleStaleness;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * kvbatch's gauges ({@code kvbatch.*}, listed in {@code docs/metrics.md}), each a view of
 * one shared {@link Readings} reading. Tags take only bounded values: an operation, an
 * op, or a rule of the rules file; never a key, a value or a token.
 */
final class KvBatchMeters implements MeterBinder {

	private final Readings readings;

	private final Set<String> rules;

	/**
	 * @param rules the rule names of the rules file, the tag values of the per-rule
	 * gauges
	 */
	KvBatchMeters(Readings readings, Set<String> rules) {
		this.readings = readings;
		this.rules = Set.copyOf(rules);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (Operation operation : Operation.values()) {
			gauge(registry, "kvbatch.kv.operations.today", "billed KV operations kvbatch sent today (UTC)",
					(figures) -> figures.sentToday().getOrDefault(operation, 0L), null, "operation", operation.label());
			gauge(registry, "kvbatch.budget.remaining",
					"KV operations the daily budget still allows today (UTC); +Inf when unlimited",
					(figures) -> unlimitedAsInfinity(figures.remaining().getOrDefault(operation, 0L)), null,
					"operation", operation.label());
		}
		gauge(registry, "kvbatch.staged.operations.today", "logical operations staged into the outbox today (UTC)",
				(figures) -> figures.stagedToday().puts(), null, "op", "put");
		gauge(registry, "kvbatch.staged.operations.today", "logical operations staged into the outbox today (UTC)",
				(figures) -> figures.stagedToday().deletes(), null, "op", "delete");
		gauge(registry, "kvbatch.backlog.rows", "outbox rows compress has not applied yet",
				Readings.Figures::backlogRows, null);
		gauge(registry, "kvbatch.backlog.spool.files", "spool files not ingested yet", Readings.Figures::spoolFiles,
				null);
		gauge(registry, "kvbatch.backlog.oldest.age", "how long the oldest unapplied outbox row or spool file waited",
				Readings.Figures::backlogAgeSeconds, "seconds");
		gauge(registry, "kvbatch.staleness.unsent.age", "how long the oldest change not yet in KV has waited",
				Readings.Figures::unsentAgeSeconds, "seconds");
		for (String rule : this.rules) {
			gauge(registry, "kvbatch.staleness.max.today",
					"longest wait of a change written to KV today (UTC), from staging to the KV call",
					(figures) -> maxSeconds(figures, rule), "seconds", "rule", rule);
			gauge(registry, "kvbatch.freshness.breaches.today",
					"physical keys the budget held past their rule's freshness bound today (UTC)",
					(figures) -> breaches(figures, rule), null, "rule", rule);
		}
		gauge(registry, "kvbatch.dead.letters.open", "dead letters neither re-staged nor resolved",
				Readings.Figures::deadLettersOpen, null);
	}

	private void gauge(MeterRegistry registry, String name, String description,
			ToDoubleFunction<Readings.Figures> value, @Nullable String unit, String... tags) {
		Gauge.builder(name, this.readings, (readings) -> {
			Readings.Figures figures = readings.current();
			return (figures != null) ? value.applyAsDouble(figures) : Double.NaN;
		}).description(description).baseUnit(unit).tags(tags).strongReference(true).register(registry);
	}

	private static double unlimitedAsInfinity(long remaining) {
		return (remaining == Long.MAX_VALUE) ? Double.POSITIVE_INFINITY : remaining;
	}

	private static double maxSeconds(Readings.Figures figures, String rule) {
		RuleStaleness staleness = figures.rules().get(rule);
		Long max = (staleness != null) ? staleness.maxSeconds() : null;
		return (max != null) ? max : 0;
	}

	private static double breaches(Readings.Figures figures, String rule) {
		RuleStaleness staleness = figures.rules().get(rule);
		return (staleness != null) ? staleness.breaches() : 0;
	}

}
