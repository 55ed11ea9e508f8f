package dev.kvbatch.report;

import dev.kvbatch.metering.ReadsSaved;
import dev.kvbatch.metering.StagedTally;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.store.DirtyKeys;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import dev.kvbatch.JobNames;
import dev.kvbatch.report.UsageReport.DeadLetterCounts;
import dev.kvbatch.report.UsageReport.JobRun;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The report's figures that are not in the ledger: staged tallies, dead letters, deferred
 * keys and Spring Batch's record of the day's executions. Each query is bounded by a day
 * or by an index.
 */
@Component
public class ReportData {

	/**
	 * The report job's own runs are left out, so rerunning it does not change a report.
	 */
	static final String REPORT_JOB = JobNames.USAGE_REPORT;

	// Spring Batch keeps times as local date-times of the JVM's zone.
	private static final String JOBS = """
			SELECT e.JOB_EXECUTION_ID, i.JOB_NAME, e.STATUS, e.START_TIME, e.END_TIME
			FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
			WHERE e.START_TIME >= ? AND e.START_TIME < ? AND i.JOB_NAME <> ?
			ORDER BY e.JOB_EXECUTION_ID
			FETCH FIRST 1000 ROWS ONLY
			""";

	private final JdbcClient jdbc;

	private final StagedTally tally;

	private final DeadLetters deadLetters;

	private final DirtyKeys dirtyKeys;

	private final ReadsSaved readsSaved;

	public ReportData(JdbcClient jdbc, StagedTally tally, DeadLetters deadLetters, DirtyKeys dirtyKeys,
			ReadsSaved readsSaved) {
		this.jdbc = jdbc;
		this.readsSaved = readsSaved;
		this.tally = tally;
		this.deadLetters = deadLetters;
		this.dirtyKeys = dirtyKeys;
	}

	/** Staged counts per day in a range; days with nothing staged are absent. */
	public Map<LocalDate, StagedTally.Counts> staged(LocalDate from, LocalDate to) {
		return this.tally.between(from, to);
	}

	/** KV reads the HTTP API answered from kvbatch's own state on a UTC day. */
	public long readsSaved(LocalDate day) {
		return this.readsSaved.on(day);
	}

	/**
	 * Dead letters created on a day, all those kept and those still open, up to
	 * {@code asOf}.
	 */
	public DeadLetterCounts deadLetters(LocalDate day, Instant asOf) {
		DeadLetters.Counts counts = this.deadLetters.counts(day.atStartOfDay(ZoneOffset.UTC).toInstant(), asOf);
		return new DeadLetterCounts(counts.created(), counts.kept(), counts.open());
	}

	/**
	 * Physical keys not yet sent whose deadline was before {@code asOf}: held by the
	 * budget. Keys within their freshness bound are not deferred, they wait by design.
	 */
	public long keysDeferred(Instant asOf) {
		return this.dirtyKeys.pastDeadline(asOf);
	}

	/** The executions started on a UTC day, oldest first, at most 1,000. */
	public List<JobRun> jobs(LocalDate day) {
		ZoneId zone = ZoneId.systemDefault();
		LocalDateTime from = LocalDateTime.ofInstant(day.atStartOfDay(ZoneOffset.UTC).toInstant(), zone);
		LocalDateTime to = LocalDateTime.ofInstant(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), zone);
		return this.jdbc.sql(JOBS)
			.params(Timestamp.valueOf(from), Timestamp.valueOf(to), REPORT_JOB)
			.query((rs, row) -> {
				Instant start = rs.getTimestamp(4)
					.toLocalDateTime()
					.atZone(zone)
					.toInstant()
					.truncatedTo(ChronoUnit.MILLIS);
				Timestamp endTime = rs.getTimestamp(5);
				Instant end = (endTime != null)
						? endTime.toLocalDateTime().atZone(zone).toInstant().truncatedTo(ChronoUnit.MILLIS) : null;
				Double seconds = (end != null) ? Duration.between(start, end).toMillis() / 1000.0 : null;
				return new JobRun(rs.getLong(1), rs.getString(2), rs.getString(3), start, end, seconds);
			})
			.list();
	}

}
