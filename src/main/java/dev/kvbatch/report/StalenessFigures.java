package dev.kvbatch.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kvbatch.pack.FlushBound;
import dev.kvbatch.pack.Freshness;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.store.FreshnessLog;

import org.springframework.stereotype.Component;

/**
 * The report's staleness per rule: of the day's writes and deletes, how long the oldest
 * change each carried waited (p50 and max, seconds), and the keys the budget held past
 * their bound. The queries are the {@link FreshnessLog}'s, two bounded by the day's
 * index; thread-safe.
 */
@Component
public class StalenessFigures {

	private final FreshnessLog log;

	private final Freshness freshness;

	public StalenessFigures(FreshnessLog log, PackingRules rules) {
		this.log = log;
		this.freshness = Freshness.of(rules);
	}

	/**
	 * Every rule of the rules file, then any other rule a write of the day names, in that
	 * order.
	 */
	public List<UsageReport.RuleStaleness> on(LocalDate day) {
		Map<String, FreshnessLog.Ages> ages = this.log.ages(day);
		Map<String, Long> breaches = this.log.breaches(day);
		Map<String, FlushBound> rules = new LinkedHashMap<>(this.freshness.bounds());
		ages.keySet().forEach((rule) -> rules.putIfAbsent(rule, this.freshness.bound(rule)));
		breaches.keySet().forEach((rule) -> rules.putIfAbsent(rule, this.freshness.bound(rule)));
		List<UsageReport.RuleStaleness> figures = new ArrayList<>();
		rules.forEach((rule, bound) -> {
			FreshnessLog.Ages age = ages.get(rule);
			figures.add(new UsageReport.RuleStaleness(rule, bound.toString(), (age != null) ? age.sent() : 0,
					(age != null) ? age.medianMillis() / 1000 : null, (age != null) ? age.maxMillis() / 1000 : null,
					breaches.getOrDefault(rule, 0L)));
		});
		return figures;
	}

}
