package dev.kvbatch.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.Operation;
import dev.kvbatch.report.ReportFiles;
import dev.kvbatch.report.ReportFormat;
import dev.kvbatch.metering.StagedTally;
import dev.kvbatch.report.TextReport;
import dev.kvbatch.report.UsageReport;
import dev.kvbatch.report.UsageReport.RuleStaleness;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "demo", mixinStandardHelpOptions = true,
		description = { "Shows what kvbatch saves, on a bundled example day.",
				"It stages the day in 24 hourly slices, runs compress after each on the embedded store, then",
				"prune, prints what was staged against what reached KV, and writes the day's usage report",
				"with the command that shows it. Then it runs the day again every 5 minutes on a moved clock,",
				"with the rules' freshness bounds and with within: 0 everywhere, and prints the writes and",
				"the worst staleness per rule of both. Works in <data-dir>/demo, which it empties first." })
class DemoCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Override
	public Integer call() throws Exception {
		Path demoDir = ScratchDataDir.prepare(this.parent.contexts, "demo");
		PrintWriter out = this.spec.commandLine().getOut();
		try (ConfigurableApplicationContext context = this.parent.contexts.with("kvbatch.data-dir", demoDir.toString())
			.with("kvbatch.target", "local")
			.full()) {
			LocalDate day = LocalDate.now(context.getBean(Clock.class).withZone(ZoneOffset.UTC)).minusDays(1);
			// The demo stages now, so its ledger and tallies, and its report, are
			// today's.
			LocalDate today = context.getBean(Ledger.class).today();
			out.printf(
					"kvbatch demo: the example day (events of %s) staged in %d hourly slices, compress after each;%n",
					day, ExampleDay.HOURS);
			out.printf("it all happens now, so its usage report is today's (%s)%n", today);
			out.printf("on %s%n%n", RunSettings.describe(context));
			Stager stager = context.getBean(Stager.class);
			JobRuns runs = context.getBean(JobRuns.class);
			ExampleDay example = new ExampleDay(day);
			long changed = 0;
			int failed = 0;
			for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
				byte[] lines = String.join("\n", example.hour(hour)).getBytes(StandardCharsets.UTF_8);
				stager.stage(List
					.of(new Stager.Source("example-day-%02d.jsonl".formatted(hour), new ByteArrayInputStream(lines))),
						(assigned) -> {
						}, (rejection) -> out.println("  rejected " + rejection.message()));
				JobExecution run = runs.start(JobNames.COMPRESS, Map.of());
				failed += (run.getStatus() == BatchStatus.COMPLETED) ? 0 : 1;
				changed += run.getStepExecutions()
					.stream()
					.filter((step) -> step.getStepName().equals(Steps.FLUSH))
					.mapToLong((step) -> step.getExecutionContext().getLong("flush.written", 0L))
					.sum();
			}
			// The nightly prune: nothing of the example day has expired yet, so it costs
			// no KV operation.
			JobExecution prune = runs.start(JobNames.PRUNE, Map.of());
			failed += (prune.getStatus() == BatchStatus.COMPLETED) ? 0 : 1;
			JobExecution report = runs.start(JobNames.USAGE_REPORT, Map.of("date", today.toString(), "mail", "false"));
			failed += (report.getStatus() == BatchStatus.COMPLETED) ? 0 : 1;
			printTable(context, changed, failed, out);
			ReportFiles files = context.getBean(ReportFiles.class);
			Path json = files.path(today, ReportFormat.JSON);
			if (Files.isRegularFile(json)) {
				// The report's own figure, read back from the report: the demo and the
				// report cannot disagree.
				JsonNode compression = context.getBean(JsonMapper.class).readTree(json.toFile()).path("compression");
				out.printf("Packing: %s%n",
						TextReport.compression(new UsageReport.Compression(compression.path("logicalWrites").asLong(),
								compression.path("kvWrites").asLong(),
								compression.path("ratio").isNumber() ? compression.path("ratio").asDouble() : null)));
			}
			failed += printCadence(demoDir, day, out);
			out.printf("Usage report of %s: %s%n", today, json.toString().replaceAll("json$", "{json,csv,txt,html}"));
			String dataDir = context.getBean(KvBatchProperties.class).dataDir().toString();
			out.printf("See it:      ./kvbatch report --date %s --kvbatch.data-dir=%s%n", today, dataDir);
			out.printf("Look inside: ./kvbatch kv list --kvbatch.data-dir=%s%n", dataDir);
			return (failed == 0) ? ExitCodes.OK : ExitCodes.FAILED;
		}
	}

	/**
	 * The trade-off the freshness bounds make: the same day at a 5-minute cadence, with
	 * the rules' bounds and with {@code within: 0} everywhere, writes and worst staleness
	 * per rule.
	 * @return the compress runs that failed
	 */
	private int printCadence(Path demoDir, LocalDate day, PrintWriter out) throws Exception {
		CadenceDay cadence = new CadenceDay(this.parent.contexts, day);
		CadenceDay.Outcome bounded = cadence.run(demoDir.resolve("every-5-minutes"), true);
		CadenceDay.Outcome everyRun = cadence.run(demoDir.resolve("every-5-minutes-within-0"), false);
		Map<String, RuleStaleness> unbounded = new LinkedHashMap<>();
		everyRun.staleness().forEach((rule) -> unbounded.put(rule.rule(), rule));
		out.println();
		out.printf(
				"The same day at a 5-minute compress cadence, on a moved clock: %d runs, until every change is in KV%n",
				bounded.compressRuns());
		out.printf("  %-18s %-28s %22s %22s%n", "", "", "KV writes and deletes", "worst staleness");
		out.printf("  %-18s %-28s %10s %11s %10s %11s%n", "rule", "bound", "within: 0", "the bounds", "within: 0",
				"the bounds");
		for (RuleStaleness rule : bounded.staleness()) {
			RuleStaleness zero = unbounded.get(rule.rule());
			out.printf("  %-18s %-28s %,10d %,11d %10s %11s%n", rule.rule(), rule.bound(),
					(zero != null) ? zero.writes() : 0, rule.writes(),
					CadenceDay.age((zero != null) ? zero.maxSeconds() : null), CadenceDay.age(rule.maxSeconds()));
		}
		out.printf("  %-18s %-28s %,10d %,11d%n", "all rules", "", everyRun.sent(), bounded.sent());
		out.printf("With the bounds: %,d KV writes and deletes instead of %,d (%.2f× fewer), %,d breaches%n",
				bounded.sent(), everyRun.sent(), (double) everyRun.sent() / Math.max(1, bounded.sent()),
				bounded.staleness().stream().mapToLong(RuleStaleness::breaches).sum());
		out.println();
		return bounded.failed() + everyRun.failed();
	}

	private void printTable(ConfigurableApplicationContext context, long changed, int failed, PrintWriter out) {
		Ledger ledger = context.getBean(Ledger.class);
		StagedTally.Counts staged = context.getBean(StagedTally.class).on(ledger.today());
		Map<Operation, Long> sent = ledger.spentOn(ledger.today(), "local");
		out.printf("%-10s %22s %14s%n", "", "staged (direct cost)", "sent to KV");
		out.printf("%-10s %22d %14d%n", "writes", staged.puts(), sent.get(Operation.WRITE));
		out.printf("%-10s %22d %14d%n", "deletes", staged.deletes(), sent.get(Operation.DELETE));
		out.printf("%-10s %22d %14d%n", "lists", 0, sent.get(Operation.LIST));
		out.println();
		out.printf("%d compress runs and a prune, %d failed. Physical keys whose value changed, summed over runs: %d%n",
				ExampleDay.HOURS, failed, changed);
	}

}
