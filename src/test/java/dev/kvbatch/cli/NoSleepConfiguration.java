package dev.kvbatch.cli;

import dev.kvbatch.kv.cloudflare.Sleeper;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Lets the Cloudflare target retry and wait without the test waiting. */
@TestConfiguration(proxyBeanMethods = false)
class NoSleepConfiguration {

	@Bean
	Sleeper sleeper() {
		return (duration) -> {
		};
	}

}
