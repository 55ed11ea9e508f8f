package dev.kvbatch.cli;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.target.KvTarget;
import dev.kvbatch.target.LocalKvTarget;
import dev.kvbatch.target.MeteredKvTarget;
import dev.kvbatch.usage.Ledger;
import org.jspecify.annotations.Nullable;

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

	static class FailAfter implements KvTarget {

		private final KvTarget delegate;

		private final AtomicInteger budget;

		FailAfter(KvTarget delegate, int keys) {
			this.delegate = delegate;
			this.budget = new AtomicInteger(keys);
		}

		@Override
		public String name() {
			return this.delegate.name();
		}

		@Override
		public List<String> put(List<PhysicalValue> values) {
			if (this.budget.addAndGet(-values.size()) < 0) {
				throw new IllegalStateException("simulated crash of the target");
			}
			return this.delegate.put(values);
		}

		@Override
		public List<String> delete(List<String> keys) {
			return this.delegate.delete(keys);
		}

		@Override
		public Optional<StoredValue> get(String key) {
			return this.delegate.get(key);
		}

		@Override
		public ListPage list(String prefix, @Nullable String cursor, int limit) {
			return this.delegate.list(prefix, cursor, limit);
		}

	}

}
