package dev.kvbatch.target;

import java.time.Clock;

import dev.kvbatch.ConfigurationException;
import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.usage.Ledger;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration(proxyBeanMethods = false)
class TargetConfiguration {

	@Bean
	KvTarget kvTarget(KvBatchProperties properties, JdbcTemplate jdbc, Clock clock, Ledger ledger) {
		if (!"local".equals(properties.target())) {
			throw new ConfigurationException("kvbatch.target must be \"local\", was \"" + properties.target() + "\"");
		}
		return new MeteredKvTarget(new LocalKvTarget(jdbc, clock), ledger);
	}

}
