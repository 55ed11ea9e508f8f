package dev.kvbatch.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;

import dev.kvbatch.ConfigurationException;
import dev.kvbatch.SecretScrubber;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.ReadsSaved;
import dev.kvbatch.pack.Packer;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.stage.RecordValidator;
import dev.kvbatch.stage.SpoolReader;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.Staging;
import dev.kvbatch.store.Cursors;
import dev.kvbatch.store.LogicalStore;
import tools.jackson.databind.json.JsonMapper;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The HTTP API's beans, only in the web context of {@code kvbatch serve}: every other
 * command boots a non-web context, which skips them. Refuses to start without a token
 * unless the server is bound to loopback and
 * {@code kvbatch.api.allow-anonymous-loopback=true}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ApiConfiguration {

	/**
	 * Refuses a serve without a token before the web server starts (a bean factory post
	 * processor runs before it), so the refusal is the command's one line.
	 */
	@Bean
	static BeanFactoryPostProcessor apiTokenCheck(Environment environment) {
		ApiProperties properties = Binder.get(environment)
			.bindOrCreate("kvbatch.api", Bindable.of(ApiProperties.class));
		anonymous(properties, environment);
		return (beanFactory) -> {
		};
	}

	@Bean
	FilterRegistrationBean<BearerTokens> apiTokens(ApiProperties properties, Environment environment,
			JsonMapper mapper) {
		List<String> write = properties.writeTokens().stream().filter(StringUtils::hasText).map(String::strip).toList();
		List<String> read = properties.readTokens().stream().filter(StringUtils::hasText).map(String::strip).toList();
		write.forEach(SecretScrubber::register);
		read.forEach(SecretScrubber::register);
		FilterRegistrationBean<BearerTokens> registration = new FilterRegistrationBean<>(
				new BearerTokens(write, read, anonymous(properties, environment), mapper));
		registration.addUrlPatterns("/client/v4/*", StageRoute.PATH);
		return registration;
	}

	/**
	 * Whether the API serves without tokens; refuses a configuration that has none and
	 * may not.
	 */
	private static boolean anonymous(ApiProperties properties, Environment environment) {
		boolean tokens = properties.writeTokens().stream().anyMatch(StringUtils::hasText)
				|| properties.readTokens().stream().anyMatch(StringUtils::hasText);
		boolean anonymous = !tokens && properties.allowAnonymousLoopback()
				&& isLoopback(environment.getProperty("server.address"));
		if (!tokens && !anonymous) {
			throw new ConfigurationException("serve opens its HTTP API only with a token: set "
					+ "kvbatch.api.write-tokens (KVBATCH_API_WRITE_TOKENS), or bind server.address to a loopback "
					+ "address with kvbatch.api.allow-anonymous-loopback=true");
		}
		return anonymous;
	}

	/**
	 * A client that sends {@code Expect: 100-continue} gets the {@code 100} only when a
	 * route starts reading the body, not when the headers arrive: a refusal (token,
	 * namespace, size) is answered before a large body is sent, and a request that got
	 * its {@code 100} is in a route, so a SIGTERM lets it finish.
	 */
	@Bean
	TomcatConnectorCustomizer continueWhenTheBodyIsRead() {
		return (connector) -> connector.setProperty("continueResponseTiming", "onRead");
	}

	@Bean
	PendingSpool pendingSpool(SpoolReader reader, RecordValidator validator, Clock clock) throws IOException {
		PendingSpool pending = new PendingSpool(reader, validator, clock);
		pending.indexFolder();
		return pending;
	}

	@Bean
	LocalState localState(Outbox outbox, LogicalStore store, Cursors cursors, PendingSpool pending, PackingRules rules,
			Packer packer, JsonMapper mapper, Clock clock) {
		return new LocalState(outbox, store, cursors, pending,
				new PackedReads(outbox, store, pending, rules, packer, mapper, clock), clock);
	}

	@Bean(destroyMethod = "close")
	GroupCommit groupCommit(Staging stager, PendingSpool pending, ApiProperties properties) {
		return new GroupCommit(stager, pending, properties.maxBatchRecords());
	}

	@Bean
	ApiStaging apiStaging(GroupCommit commits, LocalState state, ApiProperties properties) {
		return new ApiStaging(commits, state, properties);
	}

	@Bean
	ReadThrough readThrough(ApiProperties properties, KvTarget target, DailyBudget budget) {
		return new ReadThrough(properties.readThrough(), target, budget);
	}

	@Bean(destroyMethod = "close")
	ReadsSavedFlusher readsSavedFlusher(ReadsSaved reads) {
		return new ReadsSavedFlusher(reads);
	}

	/**
	 * Reads answered from the local state, which KV did not serve (and did not bill):
	 * {@code kvbatch.api.reads.local} on the management port's metrics.
	 */
	@Bean
	MeterBinder localReadsMeter(KvRoutes routes) {
		return (registry) -> FunctionCounter.builder("kvbatch.api.reads.local", routes, KvRoutes::readsServed)
			.description("KV reads answered from kvbatch's local state instead of KV")
			.register(registry);
	}

	static String firstOf(@Nullable String... values) {
		for (String value : values) {
			if (StringUtils.hasText(value)) {
				return value.strip();
			}
		}
		return ApiProperties.DEFAULT_ID;
	}

	static boolean isLoopback(@Nullable String address) {
		if (!StringUtils.hasText(address)) {
			return false;
		}
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

}
