package dev.kvbatch.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import dev.kvbatch.JobNames;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * Which dirty keys a flush sends: those whose deadline comes no later than the next run,
 * since waiting for it could break their rule's freshness bound. The next run is the one
 * the scheduler will fire ({@value #NEXT}, added by {@code serve}), else the fire or
 * start time plus {@code kvbatch.compress.interval}. A run that cannot know its next one,
 * a {@code prune} or {@code migrate}, and {@code compress flush=all} send every dirty
 * key. Pure: a function of the parameters, the setting and the clock.
 */
final class FlushHorizon {

	/** The parameter that forces every dirty key out. */
	static final String FLUSH = "flush";

	/** The next fire time of the schedule that fired a run, added by the scheduler. */
	static final String NEXT = "schedule.next";

	/** Every dirty key. */
	static final long ALL = Long.MAX_VALUE;

	private FlushHorizon() {
	}

	/**
	 * @param job the running job's name
	 * @param parameters its parameters
	 * @param interval {@code kvbatch.compress.interval}, or {@code null}
	 * @param clock the clock
	 * @return the latest deadline this flush sends, epoch milliseconds
	 */
	static long of(String job, JobParameters parameters, @Nullable Duration interval, Clock clock) {
		if (!JobNames.COMPRESS.equals(job) || "all".equals(parameters.getString(FLUSH))) {
			return ALL;
		}
		long now = clock.millis();
		Instant next = instant(parameters.getString(NEXT));
		if (next != null) {
			return Math.max(now, next.toEpochMilli());
		}
		if (interval == null || interval.isZero() || interval.isNegative()) {
			return ALL;
		}
		Instant fired = instant(parameters.getString("schedule.at"));
		long base = (fired != null) ? fired.toEpochMilli() : now;
		return Math.max(now, base + interval.toMillis());
	}

	/**
	 * The latest deadline a run must meet, {@code flush=all} or not: a key due by then
	 * that the budget holds back is a breach. The next run for a compress that knows it,
	 * else now (a key already past its deadline).
	 */
	static long due(String job, JobParameters parameters, @Nullable Duration interval, Clock clock) {
		long natural = JobNames.COMPRESS.equals(job) ? of(job, without(parameters), interval, clock) : ALL;
		return (natural == ALL) ? clock.millis() : natural;
	}

	private static JobParameters without(JobParameters parameters) {
		return new JobParametersBuilder(parameters).addString(FLUSH, "due").toJobParameters();
	}

	/** The only value {@code flush} takes. */
	static void requireAll(String value) throws InvalidJobParametersException {
		if (!"all".equals(value)) {
			throw new InvalidJobParametersException(
					"job parameter flush must be all (send every dirty key now), was \"" + value + "\"");
		}
	}

	private static @Nullable Instant instant(@Nullable String text) {
		if (text == null) {
			return null;
		}
		try {
			return Instant.parse(text);
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
