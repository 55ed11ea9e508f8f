package dev.kvbatch.kv.local;

import java.time.Clock;

import dev.kvbatch.kv.KvAdapter;
import dev.kvbatch.kv.KvTarget;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The embedded store, when {@code kvbatch.target} is {@code local} (the default). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kvbatch.target", havingValue = "local", matchIfMissing = true)
class LocalKvConfiguration {

	@KvAdapter
	KvTarget localKvTarget(JdbcTemplate jdbc, Clock clock) {
		return new LocalKvTarget(jdbc, clock);
	}

}
