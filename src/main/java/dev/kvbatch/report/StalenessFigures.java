package dev.kvbatch.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kvbatch.pack.FlushBound;
import dev.kvbatch.pack.Freshness;
import dev.kvbatch.pack.PackingRules;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The report's staleness per rule: of the day's writes and deletes, how long the oldest
 * change each carried waited (p50 and max, seconds), and the keys the budget held past
 * their bound. Two queries bounded by the day's index; thread-safe.
 */
@Component
public class StalenessFigures {

	private static final String AGES = """
			SELECT rule, COUNT(*), PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY sent_at - staged_at),
			MAX(sent_at - staged_at) FROM kv_write_age WHERE usage_day = ? GROUP BY rule
			""";

	private static final String BREACHES = "SELECT rule, COUNT(*) FROM kv_breach WHERE usage_day = ? GROUP BY rule";

	private final JdbcClient jdbc;

	private final Freshness freshness;

	public StalenessFigures(JdbcClient jdbc, PackingRules rules) {
		this.jdbc = jdbc;
		this.freshness = Freshness.of(rules);
	}

	/**
	 * Every rule of the rules file, then any other rule a write of the day names, in that
	 * order.
	 */
	public List<UsageReport.RuleStaleness> on(LocalDate day) {
		Map<String, long[]> ages = new LinkedHashMap<>();
		this.jdbc.sql(AGES).param(day).query((rs) -> {
			ages.put(rs.getString(1), new long[] { rs.getLong(2), rs.getLong(3), rs.getLong(4) });
		});
		Map<String, Long> breaches = new LinkedHashMap<>();
		this.jdbc.sql(BREACHES).param(day).query((rs) -> {
			breaches.put(rs.getString(1), rs.getLong(2));
		});
		Map<String, FlushBound> rules = new LinkedHashMap<>(this.freshness.bounds());
		ages.keySet().forEach((rule) -> rules.putIfAbsent(rule, this.freshness.bound(rule)));
		breaches.keySet().forEach((rule) -> rules.putIfAbsent(rule, this.freshness.bound(rule)));
		List<UsageReport.RuleStaleness> figures = new ArrayList<>();
		rules.forEach((rule, bound) -> {
			long[] age = ages.get(rule);
			figures.add(new UsageReport.RuleStaleness(rule, bound.toString(), (age != null) ? age[0] : 0,
					seconds(age, 1), seconds(age, 2), breaches.getOrDefault(rule, 0L)));
		});
		return figures;
	}

	private static @Nullable Long seconds(long @Nullable [] age, int index) {
		return (age != null) ? age[index] / 1000 : null;
	}

}
