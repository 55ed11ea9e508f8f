package dev.kvbatch.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.kvbatch.report.UsageReport.RuleStaleness;
import org.jspecify.annotations.Nullable;

/**
 * The staleness section of the text and CSV reports: per rule, its bound, the day's
 * writes, p50 and max staleness, and breaches, so a user can check the bounds they set.
 * Pure.
 */
final class StalenessSection {

	private StalenessSection() {
	}

	/** The text lines, each ending in a newline; none when no rule is known. */
	static String text(UsageReport report) {
		if (report.staleness().isEmpty()) {
			return "";
		}
		StringBuilder text = new StringBuilder("\n");
		text.append("staleness per rule: %,d breaches%n".formatted(report.breaches()));
		text.append("  %-18s %-28s %8s %10s %10s %9s%n".formatted("rule", "bound", "writes", "p50", "max", "breaches"));
		for (RuleStaleness rule : report.staleness()) {
			text.append("  %-18s %-28s %,8d %10s %10s %,9d%n".formatted(rule.rule(), rule.bound(), rule.writes(),
					age(rule.p50Seconds()), age(rule.maxSeconds()), rule.breaches()));
		}
		return text.toString();
	}

	/** One line for the HTML report: breaches, then each rule's max staleness. */
	static String line(UsageReport report) {
		StringBuilder line = new StringBuilder("%,d breaches".formatted(report.breaches()));
		for (RuleStaleness rule : report.staleness()) {
			if (rule.writes() > 0) {
				line.append("; %s %,d writes, max %s (%s)".formatted(rule.rule(), rule.writes(), age(rule.maxSeconds()),
						rule.bound()));
			}
		}
		return line.toString();
	}

	/** The CSV rows: section {@code staleness}, name {@code <rule>.<figure>}. */
	static List<String[]> rows(UsageReport report) {
		List<String[]> rows = new ArrayList<>();
		for (RuleStaleness rule : report.staleness()) {
			rows.add(row(rule.rule() + ".bound", rule.bound()));
			rows.add(row(rule.rule() + ".writes", rule.writes()));
			rows.add(row(rule.rule() + ".p50Seconds", rule.p50Seconds()));
			rows.add(row(rule.rule() + ".maxSeconds", rule.maxSeconds()));
			rows.add(row(rule.rule() + ".breaches", rule.breaches()));
		}
		return rows;
	}

	/** {@code 42s}, {@code 5m 10s}, {@code 5h 55m}; {@code -} for none. */
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

	private static String[] row(String name, @Nullable Object value) {
		return new String[] { "staleness", name, Objects.toString(value, "") };
	}

}
