package dev.kvbatch.metrics;

import java.time.Clock;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.StagedTally;
import dev.kvbatch.pack.Freshness;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.report.StalenessFigures;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.SpoolReader;
import dev.kvbatch.store.Cursors;
import dev.kvbatch.store.DirtyKeys;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * kvbatch's gauges, for whichever meter registry the context has: Prometheus on
 * {@code serve}'s management port ({@code /actuator/prometheus}), and the push of a run
 * when {@code management.prometheus.metrics.export.pushgateway.enabled=true}. A command
 * without the actuator (every one but {@code serve}, unless the push is on: see
 * {@code cli.ServeOnlyAutoConfigurations}) has no registry, so nothing here reads the
 * database.
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

	@Bean
	Readings kvbatchReadings(Ledger ledger, DailyBudget budget, StagedTally tally, Outbox outbox, Cursors cursors,
			SpoolReader spool, DirtyKeys dirtyKeys, StalenessFigures staleness, DeadLetters deadLetters,
			KvBatchProperties properties, Clock clock) {
		return new Readings(ledger, budget, tally, outbox, cursors, spool, dirtyKeys, staleness, deadLetters,
				properties, clock);
	}

	@Bean
	MeterBinder kvbatchMeters(Readings readings, PackingRules rules) {
		return new KvBatchMeters(readings, Freshness.of(rules).bounds().keySet());
	}

	/** Only where Boot's own pusher cannot run: without the Pushgateway exporter. */
	@Bean
	@ConditionalOnProperty(name = "management.prometheus.metrics.export.pushgateway.enabled", havingValue = "true")
	@ConditionalOnMissingClass("io.prometheus.metrics.exporter.pushgateway.PushGateway")
	PushOnShutdown pushOnShutdown(ApplicationContext context, ObjectProvider<PrometheusMeterRegistry> registry,
			ObjectProvider<PrometheusProperties> properties, Environment environment) {
		return new PushOnShutdown(context, registry, properties.getIfAvailable(PrometheusProperties::new), environment);
	}

}
