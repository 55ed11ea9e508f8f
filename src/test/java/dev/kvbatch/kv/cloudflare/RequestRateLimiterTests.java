package dev.kvbatch.kv.cloudflare;

import dev.kvbatch.MovableClock;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestRateLimiterTests {

	private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));

	private final RequestRateLimiter limiter = new RequestRateLimiter(1200, Duration.ofMinutes(5), this.clock,
			this.clock.sleeper());

	@Test
	void sendsTwelveHundredRequestsInFiveMinutesWithoutWaiting() throws InterruptedException {
		for (int i = 0; i < 1200; i++) {
			this.limiter.acquire();
			this.clock.advance(Duration.ofMillis(100));
		}

		assertThat(this.clock.sleeps()).isEmpty();
	}

	@Test
	void waitsUntilTheOldestRequestLeavesTheWindow() throws InterruptedException {
		this.limiter.acquire();
		this.clock.advance(Duration.ofSeconds(30));
		for (int i = 1; i < 1200; i++) {
			this.limiter.acquire();
		}

		this.limiter.acquire();

		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(270));
		assertThat(this.clock.instant()).isEqualTo(Instant.parse("2026-11-24T10:05:00Z"));
	}

	@Test
	void neverSendsMoreThanTheLimitInAnyWindow() throws InterruptedException {
		Instant[] sent = new Instant[3000];
		for (int i = 0; i < sent.length; i++) {
			this.limiter.acquire();
			sent[i] = this.clock.instant();
			this.clock.advance(Duration.ofMillis(37));
		}

		for (int i = 1200; i < sent.length; i++) {
			assertThat(Duration.between(sent[i - 1200], sent[i])).isGreaterThanOrEqualTo(Duration.ofMinutes(5));
		}
		assertThat(this.clock.sleeps()).isNotEmpty();
	}

}
