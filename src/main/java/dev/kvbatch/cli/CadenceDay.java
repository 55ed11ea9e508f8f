package dev.kvbatch.cli;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.report.StalenessFigures;
import dev.kvbatch.report.UsageReport.RuleStaleness;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.store.DirtyKeys;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo's example day at a 5-minute compress cadence, on a clock it moves rather than
 * in real time: each hourly slice is staged at the end of its hour, and compress runs
 * every 5 minutes from the first slice until every change is in KV. Bounded: at most
 * {@link #LONGEST} of runs after the day. Not thread-safe; one use.
 */
final class CadenceDay {

	static final Duration CADENCE = Duration.ofMinutes(5);

	/** Past the longest shipped bound (a day) after the day's last slice. */
	private static final Duration LONGEST = Duration.ofHours(25);

	/** Later than any deadline: what is dirty at all. */
	private static final Instant NEVER = Instant.ofEpochMilli(Long.MAX_VALUE);

	private final Contexts contexts;

	private final LocalDate day;

	CadenceDay(Contexts contexts, LocalDate day) {
		this.contexts = contexts;
		this.day = day;
	}

	/**
	 * Runs the day in {@code dataDir}.
	 * @param bounded whether the rules' freshness bounds apply; if not, every run sends
	 * every dirty key ({@code flush=all}), which is {@code within: 0} on every rule, and
	 * only the runs right after a slice run (the others would find nothing dirty)
	 */
	Outcome run(Path dataDir, boolean bounded) throws Exception {
		Instant start = this.day.atStartOfDay(ZoneOffset.UTC).toInstant();
		Instant dayEnd = start.plus(Duration.ofHours(ExampleDay.HOURS));
		MovedClock clock = new MovedClock(start);
		Map<String, String> parameters = bounded ? Map.of() : Map.of("flush", "all");
		try (ConfigurableApplicationContext context = this.contexts.with(clock)
			.with("kvbatch.data-dir", dataDir.toString())
			.with("kvbatch.target", "local")
			.with("kvbatch.compress.interval", CADENCE.toMinutes() + "m")
			.full()) {
			Stager stager = context.getBean(Stager.class);
			JobRuns runs = context.getBean(JobRuns.class);
			DirtyKeys dirty = context.getBean(DirtyKeys.class);
			ExampleDay example = new ExampleDay(this.day);
			long sent = 0;
			int compressRuns = 0;
			int failed = 0;
			Instant tick = start;
			do {
				tick = tick.plus(CADENCE);
				long hour = Duration.between(start, tick).toHours();
				boolean staged = tick.getEpochSecond() % 3600 == 0 && hour <= ExampleDay.HOURS;
				if (staged) {
					clock.set(tick.minusSeconds(1));
					byte[] lines = String.join("\n", example.hour((int) hour - 1)).getBytes(StandardCharsets.UTF_8);
					stager.stage(List.of(new Stager.Source("example-day-%02d.jsonl".formatted(hour - 1),
							new ByteArrayInputStream(lines))), (assigned) -> {
							}, (rejection) -> {
								throw new IllegalStateException(
										"the example day's own line was refused: " + rejection.message());
							});
				}
				clock.set(tick);
				// Without bounds, a run with nothing staged since the last one has
				// nothing dirty and sends nothing: the day skips it, for speed.
				if (bounded || staged) {
					JobExecution run = runs.start(JobNames.COMPRESS, parameters);
					compressRuns++;
					failed += (run.getStatus() == BatchStatus.COMPLETED) ? 0 : 1;
					sent += sent(run);
				}
			}
			while (tick.isBefore(dayEnd) || (dirty.pastDeadline(NEVER) > 0 && tick.isBefore(dayEnd.plus(LONGEST))));
			StalenessFigures figures = context.getBean(StalenessFigures.class);
			Map<String, RuleStaleness> worst = new LinkedHashMap<>();
			for (LocalDate date = this.day; !date.isAfter(LocalDate.ofInstant(tick, ZoneOffset.UTC)); date = date
				.plusDays(1)) {
				figures.on(date).forEach((rule) -> worst.merge(rule.rule(), rule, CadenceDay::worse));
			}
			return new Outcome(compressRuns, failed, sent, Duration.between(start, tick), List.copyOf(worst.values()));
		}
	}

	/** Physical keys written and deleted by one compress run. */
	static long sent(JobExecution run) {
		return run.getStepExecutions()
			.stream()
			.filter((step) -> step.getStepName().equals(Steps.FLUSH))
			.mapToLong((step) -> step.getExecutionContext().getLong("flush.written", 0L)
					+ step.getExecutionContext().getLong("flush.deleted", 0L))
			.sum();
	}

	/** Two days' figures of one rule as one: writes and breaches add up, the max wins. */
	private static RuleStaleness worse(RuleStaleness a, RuleStaleness b) {
		Long max = (a.maxSeconds() == null) ? b.maxSeconds()
				: (b.maxSeconds() == null) ? a.maxSeconds() : Long.valueOf(Math.max(a.maxSeconds(), b.maxSeconds()));
		return new RuleStaleness(a.rule(), a.bound(), a.writes() + b.writes(), null, max, a.breaches() + b.breaches());
	}

	/**
	 * {@code 42s}, {@code 5m 10s}, {@code 5h 55m}, as the usage report shows ages;
	 * {@code -} for none.
	 */
	static String age(@Nullable Long seconds) {
		if (seconds == null) {
			return "-";
		}
		if (seconds < 60) {
			return seconds + "s";
		}
		if (seconds < 3600) {
			return "%dm %02ds".formatted(seconds / 60, seconds % 60);
		}
		return "%dh %02dm".formatted(seconds / 3600, (seconds % 3600) / 60);
	}

	/**
	 * One run of the day.
	 *
	 * @param compressRuns compress runs made
	 * @param failed runs that did not complete
	 * @param sent KV writes and deletes
	 * @param span from the day's start to the last run
	 * @param staleness per rule: writes, the worst staleness (no p50) and breaches
	 */
	record Outcome(int compressRuns, int failed, long sent, Duration span, List<RuleStaleness> staleness) {
	}

	/** The clock the day runs on, moved by the day. */
	private static final class MovedClock extends Clock {

		private volatile Instant now;

		MovedClock(Instant now) {
			this.now = now;
		}

		void set(Instant now) {
			this.now = now;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
