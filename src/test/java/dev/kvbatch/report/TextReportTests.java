package dev.kvbatch.report;

import dev.kvbatch.metering.Operation;
import dev.kvbatch.metering.Plan;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.kvbatch.report.UsageReport.JobRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextReportTests {

	private static final LocalDate DAY = LocalDate.of(2026, 11, 23);

	private static final Instant END_OF_DAY = Instant.parse("2026-11-24T00:00:00Z");

	@Test
	void sumsTheDaysRunsUpPerJobAndListsOnlyTheFailedOnes() {
		List<JobRun> runs = List.of(run(41, "compress", "COMPLETED", "00:05:00", 0.3),
				run(42, "compress", "FAILED", "01:05:00", 0.5), run(43, "compress", "COMPLETED", "02:05:00", 0.4),
				run(44, "prune", "COMPLETED", "23:40:00", 1.25));

		String text = TextReport.render(report(runs, new UsageReport.Staged(0, 0, 0, 0), END_OF_DAY));

		assertThat(text).contains("""
				jobs that ran that day: 4 runs, 1 failed, 2.5 s in all
				  compress     3 runs, 1 failed, slowest 0.5 s (execution 42), 1.2 s in all
				  prune        1 run, 0 failed, slowest 1.3 s (execution 44)
				  FAILED: compress execution 42 at 01:05:00 UTC, 0.5 s; the next compress does its work, or kvbatch\
				 restart 42
				""").doesNotContain("execution 41 at");
	}

	@Test
	void countsOfOneAreSingular() {
		String text = TextReport.render(report(List.of(), new UsageReport.Staged(1, 1, 1, 1), END_OF_DAY));

		assertThat(text).contains("staged        1 put, 1 delete (1 upload, 1 change)");
	}

	@Test
	void aPastDaysForecastSaysWhatWasLeftUnusedAndTodaysWhatIsLeft() {
		UsageReport.Staged staged = new UsageReport.Staged(1000, 0, 100, 900);

		String past = TextReport.render(report(List.of(), staged, END_OF_DAY));
		String today = TextReport.render(report(List.of(), staged, Instant.parse("2026-11-23T18:00:00Z")));

		assertThat(past).contains("forecast      the day ended with 140 KV writes unused: room for about 1,627 more"
				+ " staged operations (163 uploads and 1,464 changes) at that day's 0.086 KV writes per staged operation")
			.doesNotContain("today");
		assertThat(today).contains("forecast      room for about 1,627 more staged operations today (163 uploads and"
				+ " 1,464 changes at today's mix): 140 KV writes left, at 0.086 KV writes per staged operation");
	}

	private static JobRun run(long id, String job, String status, String time, double seconds) {
		Instant start = Instant.parse("2026-11-23T" + time + "Z");
		return new JobRun(id, job, status, start, start.plusMillis((long) (seconds * 1000)), seconds);
	}

	private static UsageReport report(List<JobRun> jobs, UsageReport.Staged staged, Instant asOf) {
		List<UsageReport.OperationUsage> operations = UsageCalculator.operations(Plan.FREE, DAY,
				Map.of(Operation.WRITE, 860L), null);
		return new UsageReport(DAY, "free", new UsageReport.Period(DAY, DAY, "day"), operations,
				UsageCalculator.worst(operations), UsageCalculator.alerts(Plan.FREE, operations), staged,
				UsageCalculator.compression(staged.puts() + staged.deletes(), 86),
				new UsageReport.Backlog(0, null, 0, asOf), new UsageReport.DeadLetterCounts(0, 0, 0),
				UsageCalculator.freeForecast(1000, 860, 86, staged), jobs, List.of(), null);
	}

}
