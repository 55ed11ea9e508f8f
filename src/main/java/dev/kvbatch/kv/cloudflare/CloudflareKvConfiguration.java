package dev.kvbatch.kv.cloudflare;

import java.time.Clock;

import dev.kvbatch.kv.KvAdapter;
import dev.kvbatch.kv.KvTarget;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * The Workers KV REST client, when {@code kvbatch.target} is {@code cloudflare}. A
 * {@link Sleeper} bean, if any, replaces real waiting (tests).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kvbatch.target", havingValue = "cloudflare")
class CloudflareKvConfiguration {

	@KvAdapter
	KvTarget cloudflareKvTarget(CloudflareProperties cloudflare, JsonMapper json, Clock clock,
			ObjectProvider<RestClient.Builder> rest, ObjectProvider<Sleeper> sleeper) {
		return CloudflareKvTarget.create(cloudflare, rest.getIfAvailable(RestClient::builder), json, clock,
				sleeper.getIfAvailable(Sleeper::threadSleep));
	}

}
