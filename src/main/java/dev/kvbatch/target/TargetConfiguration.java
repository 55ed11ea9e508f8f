package dev.kvbatch.target;

import java.time.Clock;

import dev.kvbatch.ConfigurationException;
import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.usage.Ledger;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

/**
 * The target named by {@code kvbatch.target}, metered into the ledger. A {@link Sleeper}
 * bean, if any, replaces real waiting (tests).
 */
@Configuration(proxyBeanMethods = false)
class TargetConfiguration {

	@Bean
	KvTarget kvTarget(KvBatchProperties properties, CloudflareProperties cloudflare, JdbcTemplate jdbc, Clock clock,
			Ledger ledger, JsonMapper json, ObjectProvider<RestClient.Builder> rest, ObjectProvider<Sleeper> sleeper) {
		KvTarget target;
		if ("local".equals(properties.target())) {
			target = new LocalKvTarget(jdbc, clock);
		}
		else if ("cloudflare".equals(properties.target())) {
			target = CloudflareKvTarget.create(cloudflare, rest.getIfAvailable(RestClient::builder), json, clock,
					sleeper.getIfAvailable(Sleeper::threadSleep));
		}
		else {
			throw new ConfigurationException(
					"kvbatch.target must be \"local\" or \"cloudflare\", was \"" + properties.target() + "\"");
		}
		return new MeteredKvTarget(target, ledger);
	}

}
