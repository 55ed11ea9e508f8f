package dev.kvbatch.kv.cloudflare;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Waits out a delegate's back-off through a {@link Sleeper} and tells the
 * {@code RetryTemplate} to wait no further: the template sleeps with
 * {@code Thread.sleep}, which tests could neither observe nor skip.
 */
record SleepingBackOff(BackOff delegate, Sleeper sleeper) implements BackOff {

	private static final Logger log = LoggerFactory.getLogger(SleepingBackOff.class);

	@Override
	public BackOffExecution start() {
		BackOffExecution execution = this.delegate.start();
		return () -> {
			long millis = execution.nextBackOff();
			if (millis == BackOffExecution.STOP) {
				return BackOffExecution.STOP;
			}
			log.debug("Waiting {} ms before the next attempt", millis);
			try {
				this.sleeper.sleep(Duration.ofMillis(millis));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return BackOffExecution.STOP;
			}
			return 0;
		};
	}

}
