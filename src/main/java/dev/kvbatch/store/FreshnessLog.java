package dev.kvbatch.store;

import java.sql.Date;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kvbatch.Trimmable;
import dev.kvbatch.pack.Freshness;
import dev.kvbatch.pack.PackingRules;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the freshness bounds did: the age of every write and delete sent
 * ({@code kv_write_age}: from the staging of the oldest change it carried to the KV
 * call), and the keys the daily budget held past their deadline ({@code kv_breach}, once
 * per key and deadline however many runs held it). Written in the flush's transaction, so
 * a rolled-back flush records nothing; idempotent for breaches. Thread-safe.
 */
@Component
public class FreshnessLog implements Trimmable {

	private static final String AGE = """
			INSERT INTO kv_write_age (usage_day, rule, physical_key, staged_at, due_at, sent_at)
			VALUES (?, ?, ?, ?, ?, ?)
			""";

	private static final String BREACH = """
			INSERT INTO kv_breach (usage_day, rule, physical_key, due_at, recorded_at)
			SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM kv_breach WHERE physical_key = ? AND due_at = ?)
			""";

	private static final String AGES = """
			SELECT rule, COUNT(*), PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY sent_at - staged_at),
			MAX(sent_at - staged_at) FROM kv_write_age WHERE usage_day = ? GROUP BY rule
			""";

	private static final String BREACHES = "SELECT rule, COUNT(*) FROM kv_breach WHERE usage_day = ? GROUP BY rule";

	private final JdbcTemplate jdbc;

	private final Freshness freshness;

	private final Clock clock;

	public FreshnessLog(JdbcTemplate jdbc, PackingRules rules, Clock clock) {
		this.jdbc = jdbc;
		this.freshness = Freshness.of(rules);
		this.clock = clock;
	}

	/** Records the age of the keys just written or deleted. */
	public void sent(List<DirtyKey> keys) {
		if (keys.isEmpty()) {
			return;
		}
		long now = this.clock.millis();
		Date day = today(now);
		this.jdbc.batchUpdate(AGE, keys, keys.size(), (ps, key) -> {
			ps.setDate(1, day);
			ps.setString(2, this.freshness.ruleOf(key.physicalKey()));
			ps.setString(3, key.physicalKey());
			ps.setLong(4, key.stagedAt());
			ps.setLong(5, key.dueAt());
			ps.setLong(6, now);
		});
	}

	/**
	 * Records the keys the budget held back whose deadline is due by {@code horizon}:
	 * they reach KV after it.
	 * @param held the keys left dirty by the budget
	 * @param horizon the latest deadline this run had to meet, epoch milliseconds
	 * @return how many of them are breaches
	 */
	public int held(List<DirtyKey> held, long horizon) {
		List<DirtyKey> late = held.stream().filter((key) -> key.dueAt() <= horizon).toList();
		if (late.isEmpty()) {
			return 0;
		}
		long now = this.clock.millis();
		Date day = today(now);
		this.jdbc.batchUpdate(BREACH, late, late.size(), (ps, key) -> {
			ps.setDate(1, day);
			ps.setString(2, this.freshness.ruleOf(key.physicalKey()));
			ps.setString(3, key.physicalKey());
			ps.setLong(4, key.dueAt());
			ps.setLong(5, now);
			ps.setString(6, key.physicalKey());
			ps.setLong(7, key.dueAt());
		});
		return late.size();
	}

	/**
	 * The ages of a UTC day's writes and deletes, per rule that sent any: one query
	 * bounded by the day's index.
	 */
	public Map<String, Ages> ages(LocalDate day) {
		Map<String, Ages> ages = new LinkedHashMap<>();
		JdbcClient.create(this.jdbc).sql(AGES).param(day).query((rs) -> {
			ages.put(rs.getString(1), new Ages(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
		});
		return ages;
	}

	/** A UTC day's breaches per rule that had any. */
	public Map<String, Long> breaches(LocalDate day) {
		Map<String, Long> breaches = new LinkedHashMap<>();
		JdbcClient.create(this.jdbc).sql(BREACHES).param(day).query((rs) -> {
			breaches.put(rs.getString(1), rs.getLong(2));
		});
		return breaches;
	}

	/**
	 * One rule's write ages of a day.
	 *
	 * @param sent writes and deletes sent
	 * @param medianMillis their median age (the lower middle), milliseconds
	 * @param maxMillis the oldest, milliseconds
	 */
	public record Ages(long sent, long medianMillis, long maxMillis) {
	}

	/** Kept as long as the daily ledger the staleness figures are reported beside. */
	@Override
	public String kind() {
		return "staleness";
	}

	/** Rows of days before the cutoff's day. */
	@Override
	public long due(Instant cutoff) {
		LocalDate day = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
		JdbcClient client = JdbcClient.create(this.jdbc);
		return client.sql("SELECT COUNT(*) FROM kv_write_age WHERE usage_day < ?").param(day).query(Long.class).single()
				+ client.sql("SELECT COUNT(*) FROM kv_breach WHERE usage_day < ?")
					.param(day)
					.query(Long.class)
					.single();
	}

	/**
	 * Deletes at most {@code batchSize} rows of days before the cutoff's day, oldest
	 * first.
	 */
	@Override
	public long trim(Instant cutoff, int batchSize) {
		LocalDate day = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
		JdbcClient client = JdbcClient.create(this.jdbc);
		int deleted = 0;
		for (String table : new String[] { "kv_write_age", "kv_breach" }) {
			if (deleted >= batchSize) {
				break;
			}
			List<Long> ids = client
				.sql("SELECT id FROM " + table + " WHERE usage_day < ? ORDER BY id FETCH FIRST ? ROWS ONLY")
				.params(day, batchSize - deleted)
				.query(Long.class)
				.list();
			for (Long id : ids) {
				deleted += client.sql("DELETE FROM " + table + " WHERE id = ?").param(id).update();
			}
		}
		return deleted;
	}

	private static Date today(long now) {
		return Date.valueOf(LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC));
	}

}
