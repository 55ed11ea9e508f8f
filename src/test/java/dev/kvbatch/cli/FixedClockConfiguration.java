package dev.kvbatch.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The application's clock stopped at {@code test.now}, so tests move time instead of
 * waiting.
 */
@TestConfiguration(proxyBeanMethods = false)
class FixedClockConfiguration {

	@Bean
	@Primary
	Clock fixedClock(@Value("${test.now}") String now) {
		return Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
	}

}
