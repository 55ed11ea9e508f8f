package dev.kvbatch.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The clock of a command run, fixed at the {@code test.now} setting: tests move time
 * instead of waiting.
 */
@TestConfiguration(proxyBeanMethods = false)
class FixedClockConfiguration {

	@Bean
	@Primary
	Clock fixedClock(@Value("${test.now}") Instant now) {
		return Clock.fixed(now, ZoneOffset.UTC);
	}

}
