package dev.kvbatch.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kvbatch.report.UsageReport.JobRun;
import org.jspecify.annotations.Nullable;

/**
 * The day's job executions summed up per job, for a reader: how many ran, which failed,
 * the slowest and the time they took in all. An hourly compress makes 24 near-identical
 * rows a day; the report's JSON and CSV keep every row.
 *
 * @param jobs one line per job, in the order the jobs first ran
 * @param failed the runs that did not complete (and are not still running), oldest first
 */
public record JobsSummary(List<Job> jobs, List<JobRun> failed) {

	/** The statuses of runs that are still going. */
	private static final List<String> RUNNING = List.of("STARTING", "STARTED", "STOPPING");

	public static JobsSummary of(List<JobRun> runs) {
		Map<String, List<JobRun>> byJob = new LinkedHashMap<>();
		for (JobRun run : runs) {
			byJob.computeIfAbsent(run.job(), (name) -> new ArrayList<>()).add(run);
		}
		List<Job> jobs = new ArrayList<>();
		byJob.forEach((name, jobRuns) -> {
			JobRun slowest = jobRuns.stream()
				.filter((run) -> run.durationSeconds() != null)
				.max(Comparator.comparingDouble(JobRun::durationSeconds))
				.orElse(null);
			double total = jobRuns.stream()
				.filter((run) -> run.durationSeconds() != null)
				.mapToDouble(JobRun::durationSeconds)
				.sum();
			jobs.add(new Job(name, jobRuns.size(), (int) jobRuns.stream().filter(JobsSummary::failed).count(),
					(int) jobRuns.stream().filter((run) -> RUNNING.contains(run.status())).count(), slowest, total));
		});
		return new JobsSummary(List.copyOf(jobs), runs.stream().filter(JobsSummary::failed).toList());
	}

	/** All runs of all jobs. */
	public int runs() {
		return this.jobs.stream().mapToInt(Job::runs).sum();
	}

	/** The time all runs took, in seconds. */
	public double totalSeconds() {
		return this.jobs.stream().mapToDouble(Job::totalSeconds).sum();
	}

	private static boolean failed(JobRun run) {
		return !run.status().equals("COMPLETED") && !RUNNING.contains(run.status());
	}

	/**
	 * @param job the job's name
	 * @param runs its executions that day
	 * @param failed those that did not complete
	 * @param running those still running
	 * @param slowest the longest finished run, or null when none finished
	 * @param totalSeconds the time its finished runs took in all
	 */
	public record Job(String job, int runs, int failed, int running, @Nullable JobRun slowest, double totalSeconds) {
	}

}
