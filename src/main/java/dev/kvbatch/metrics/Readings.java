package dev.kvbatch.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.Operation;
import dev.kvbatch.metering.StagedTally;
import dev.kvbatch.report.StalenessFigures;
import dev.kvbatch.report.UsageReport.RuleStaleness;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.SpoolReader;
import dev.kvbatch.store.Cursors;
import dev.kvbatch.store.DirtyKeys;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;

/**
 * The figures kvbatch's gauges show, read from the database (and the spool folder) by
 * their owners. A scrape reads them once and every gauge of it shares that reading: at
 * most one reading per {@link #MAX_AGE}, whatever the number of gauges, scrapes or
 * replicas' requests, and never on an API request's path. Each query is bounded by an
 * index, by a day or by the backlog. A failed reading is kept for {@link #MAX_AGE} too
 * (its gauges show NaN), so a database that is down is not asked once per gauge.
 * Thread-safe.
 */
public class Readings {

	/** How long a reading is shown before the next scrape reads again. */
	public static final Duration MAX_AGE = Duration.ofSeconds(10);

	private static final Log logger = LogFactory.getLog(Readings.class);

	private final Ledger ledger;

	private final DailyBudget budget;

	private final StagedTally tally;

	private final Outbox outbox;

	private final Cursors cursors;

	private final SpoolReader spool;

	private final DirtyKeys dirtyKeys;

	private final StalenessFigures staleness;

	private final DeadLetters deadLetters;

	private final String target;

	private final Clock clock;

	private @Nullable Reading last;

	Readings(Ledger ledger, DailyBudget budget, StagedTally tally, Outbox outbox, Cursors cursors, SpoolReader spool,
			DirtyKeys dirtyKeys, StalenessFigures staleness, DeadLetters deadLetters, KvBatchProperties properties,
			Clock clock) {
		this.ledger = ledger;
		this.budget = budget;
		this.tally = tally;
		this.outbox = outbox;
		this.cursors = cursors;
		this.spool = spool;
		this.dirtyKeys = dirtyKeys;
		this.staleness = staleness;
		this.deadLetters = deadLetters;
		this.target = properties.target().label();
		this.clock = clock;
	}

	/**
	 * The latest reading, read again when it is older than {@link #MAX_AGE}.
	 * @return the figures, or {@code null} when the last attempt to read them failed
	 */
	synchronized @Nullable Figures current() {
		Instant now = this.clock.instant();
		Reading reading = this.last;
		if (reading == null || !now.isBefore(reading.at().plus(MAX_AGE)) || now.isBefore(reading.at())) {
			reading = new Reading(now, read(now));
			this.last = reading;
		}
		return reading.figures();
	}

	private @Nullable Figures read(Instant now) {
		try {
			LocalDate today = this.ledger.today();
			Map<Operation, Long> remaining = new EnumMap<>(Operation.class);
			for (Operation operation : Operation.values()) {
				remaining.put(operation, this.budget.remaining(operation));
			}
			Outbox.Backlog backlog = this.outbox.backlog(this.cursors.position(Cursors.OUTBOX));
			List<Path> spoolFiles = this.spool.readyFiles();
			Instant oldestStaged = earliest(backlog.oldestStagedAt(), oldestFile(spoolFiles));
			Map<String, RuleStaleness> rules = new LinkedHashMap<>();
			this.staleness.on(today).forEach((rule) -> rules.put(rule.rule(), rule));
			return new Figures(this.ledger.spentOn(today, this.target), remaining, this.tally.on(today), backlog.rows(),
					spoolFiles.size(), secondsSince(oldestStaged, now),
					secondsSince(this.dirtyKeys.oldestChange(), now), rules, this.deadLetters.openCount(now));
		}
		catch (DataAccessException | IOException | UncheckedIOException ex) {
			logger.warn("kvbatch's gauges could not be read, they show NaN until the next reading: " + ex.getMessage());
			return null;
		}
	}

	/**
	 * When the oldest spool file was last written: a file is written once, then renamed.
	 */
	private static @Nullable Instant oldestFile(List<Path> files) throws IOException {
		Instant oldest = null;
		for (Path file : files) {
			if (Files.exists(file)) {
				Instant written = Files.getLastModifiedTime(file).toInstant();
				oldest = earliest(oldest, written);
			}
		}
		return oldest;
	}

	private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
		if (a == null) {
			return b;
		}
		return (b == null || a.isBefore(b)) ? a : b;
	}

	private static double secondsSince(@Nullable Instant then, Instant now) {
		return (then != null) ? Math.max(0, Duration.between(then, now).toMillis() / 1000.0) : 0;
	}

	/**
	 * One reading of the figures.
	 *
	 * @param sentToday billed KV operations sent to the target today (UTC), per operation
	 * @param remaining operations the daily budget still allows today;
	 * {@link Long#MAX_VALUE} when unlimited
	 * @param stagedToday logical operations staged into the outbox today
	 * @param backlogRows outbox rows compress has not applied
	 * @param spoolFiles spool files not yet ingested
	 * @param backlogAgeSeconds how long the oldest of those rows or files has waited
	 * @param unsentAgeSeconds how long the oldest change not yet in KV has waited
	 * @param rules today's staleness per rule
	 * @param deadLettersOpen dead letters neither re-staged nor resolved
	 */
	record Figures(Map<Operation, Long> sentToday, Map<Operation, Long> remaining, StagedTally.Counts stagedToday,
			long backlogRows, long spoolFiles, double backlogAgeSeconds, double unsentAgeSeconds,
			Map<String, RuleStaleness> rules, long deadLettersOpen) {
	}

	private record Reading(Instant at, @Nullable Figures figures) {
	}

}
