package dev.kvbatch.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.kvbatch.report.UsageReport.JobRun;
import dev.kvbatch.report.UsageReport.OperationUsage;

/**
 * The report as CSV in long form, {@code date,section,name,value}, one figure a line, so
 * that a spreadsheet can pivot it and days can be concatenated.
 */
public final class CsvReport {

	private CsvReport() {
	}

	public static String render(UsageReport report) {
		List<String[]> rows = new ArrayList<>();
		rows.add(row("report", "plan", report.plan()));
		rows.add(row("report", "period", report.period().basis()));
		rows.add(row("report", "worstZone", report.worstZone().label()));
		for (OperationUsage usage : report.operations()) {
			String section = usage.operation();
			rows.add(row(section, "used", usage.used()));
			rows.add(row(section, "kvbatch", usage.kvbatch()));
			rows.add(row(section, "account", usage.account()));
			rows.add(row(section, "limit", usage.limit()));
			rows.add(row(section, "percent", usage.percent()));
			rows.add(row(section, "zone", usage.zone().label()));
			if (usage.projected() != null) {
				rows.add(row(section, "projected", usage.projected()));
				rows.add(row(section, "projectedCost", usage.projectedCost()));
			}
		}
		rows.add(row("staged", "puts", report.staged().puts()));
		rows.add(row("staged", "deletes", report.staged().deletes()));
		rows.add(row("staged", "uploads", report.staged().uploads()));
		rows.add(row("staged", "changes", report.staged().changes()));
		rows.add(row("compression", "logicalWrites", report.compression().logicalWrites()));
		rows.add(row("compression", "kvWrites", report.compression().kvWrites()));
		rows.add(row("compression", "ratio", report.compression().ratio()));
		rows.add(row("reads", "saved", report.readsSaved()));
		rows.add(row("backlog", "pendingRows", report.backlog().pendingRows()));
		rows.add(row("backlog", "oldestPendingSeconds", report.backlog().oldestPendingSeconds()));
		rows.add(row("backlog", "keysDeferred", report.backlog().keysDeferred()));
		rows.add(row("backlog", "asOf", report.backlog().asOf()));
		rows.add(row("deadLetters", "created", report.deadLetters().created()));
		rows.add(row("deadLetters", "total", report.deadLetters().total()));
		rows.add(row("forecast", "writesLeft", report.forecast().writesLeft()));
		rows.add(row("forecast", "kvWritesPerStagedOp", report.forecast().kvWritesPerStagedOp()));
		rows.add(row("forecast", "uploads", report.forecast().uploads()));
		rows.add(row("forecast", "changes", report.forecast().changes()));
		rows.add(row("forecast", "costToDate", report.forecast().costToDate()));
		rows.add(row("forecast", "projectedMonthCost", report.forecast().projectedMonthCost()));
		for (JobRun run : report.jobs()) {
			rows.add(row("job", run.id() + ".name", run.job()));
			rows.add(row("job", run.id() + ".status", run.status()));
			rows.add(row("job", run.id() + ".start", run.start()));
			rows.add(row("job", run.id() + ".durationSeconds", run.durationSeconds()));
		}
		rows.addAll(StalenessSection.rows(report));
		for (String alert : report.alerts()) {
			rows.add(row("alert", "line", alert));
		}
		StringBuilder csv = new StringBuilder("date,section,name,value\n");
		for (String[] row : rows) {
			csv.append(report.date())
				.append(',')
				.append(escape(row[0]))
				.append(',')
				.append(escape(row[1]))
				.append(',')
				.append(escape(row[2]))
				.append('\n');
		}
		return csv.toString();
	}

	private static String[] row(String section, String name, @Nullable Object value) {
		return new String[] { section, name, Objects.toString(value, "") };
	}

	private static String escape(String field) {
		if (field.contains(",") || field.contains("\"") || field.contains("\n")) {
			return "\"" + field.replace("\"", "\"\"") + "\"";
		}
		return field;
	}

}
