package dev.kvbatch.cli;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.local.LocalKvTarget;
import dev.kvbatch.kv.MeteredKvTarget;
import dev.kvbatch.metering.Ledger;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded target, failing once {@code test.fail-after-keys} keys have been written
 * in this process: a crash in the middle of a flush.
 */
@TestConfiguration(proxyBeanMethods = false)
class FailingTargetConfiguration {

	@Bean
	@Primary
	KvTarget failingTarget(JdbcTemplate jdbc, Clock clock, Ledger ledger,
			@Value("${test.fail-after-keys}") int failAfterKeys) {
		return new MeteredKvTarget(new FailAfter(new LocalKvTarget(jdbc, clock), failAfterKeys), ledger);
	}

	static class FailAfter extends ForwardingKvTarget {

		private final AtomicInteger budget;

		FailAfter(KvTarget delegate, int keys) {
			super(delegate);
			this.budget = new AtomicInteger(keys);
		}

		@Override
		public List<String> put(List<PhysicalValue> values) {
			if (this.budget.addAndGet(-values.size()) < 0) {
				throw new IllegalStateException("simulated crash of the target");
			}
			return super.put(values);
		}

	}

}
