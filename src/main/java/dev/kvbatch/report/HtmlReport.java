package dev.kvbatch.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;

import org.springframework.stereotype.Component;

/**
 * The report as HTML, from the Thymeleaf template {@code templates/usage-report.html}:
 * the report file (chart inlined as a data URI) and the mail's HTML part (chart by
 * content id). Inline styles only, as mail clients drop style sheets.
 */
@Component
public class HtmlReport {

	static final String TEMPLATE = "usage-report";

	private final ITemplateEngine templates;

	public HtmlReport(ITemplateEngine templates) {
		this.templates = templates;
	}

	/**
	 * @param chartSource the chart's {@code src}: {@code cid:...} or a data URI
	 */
	public String render(UsageReport report, String chartSource) {
		JobsSummary jobs = JobsSummary.of(report.jobs());
		Map<String, String> lines = new LinkedHashMap<>();
		lines.put("staged", TextReport.staged(report.staged()));
		lines.put("compression", TextReport.compression(report.compression()));
		lines.put("reads", TextReport.readsSaved(report.readsSaved()));
		lines.put("backlog", TextReport.backlog(report.backlog()));
		lines.put("dead letters", TextReport.deadLetters(report.deadLetters()));
		lines.put("forecast", TextReport.forecast(report));
		if (!report.staleness().isEmpty()) {
			lines.put("staleness", StalenessSection.line(report));
		}
		Map<String, String> jobLines = new LinkedHashMap<>();
		jobs.jobs().forEach((job) -> jobLines.put(job.job(), TextReport.jobLine(job)));
		Context context = new Context(Locale.ROOT,
				Map.of("report", report, "chart", chartSource, "headline", TextReport.headline(report), "lines", lines,
						"jobs", TextReport.jobsLine(jobs), "jobLines", jobLines, "failed",
						jobs.failed().stream().map(TextReport::failedLine).toList(), "f", new Format()));
		return this.templates.process(TEMPLATE, context);
	}

	/** Number formats the template calls. */
	public static final class Format {

		public String count(Long value) {
			return (value != null) ? "%,d".formatted(value) : "-";
		}

		public String percent(double value) {
			return UsageCalculator.percentText(value) + " %";
		}

		public String seconds(Double value) {
			return (value != null) ? "%.1f s".formatted(value) : "running";
		}

		public String zoneColor(Zone zone) {
			if (zone == Zone.EXCEEDED) {
				return "#c53030";
			}
			return (zone == Zone.WARNING) ? "#b7791f" : "#2f855a";
		}

	}

}
