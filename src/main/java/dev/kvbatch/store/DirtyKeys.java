package dev.kvbatch.store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kvbatch.PagedQuery;
import dev.kvbatch.pack.Freshness;
import dev.kvbatch.pack.PackingRules;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Marks physical keys whose value may have changed ({@code kv_dirty}). A key already
 * marked keeps its place in the queue, the staging time of the oldest change it carries
 * and so its deadline: its rule's freshness bound counts from that change.
 */
@Component
public class DirtyKeys {

	private static final String MARKED = "SELECT physical_key FROM kv_dirty WHERE physical_key = ANY(?)";

	private static final String MARK = """
			INSERT INTO kv_dirty (physical_key, dirty_since, staged_at, due_at) VALUES (?, ?, ?, ?)
			""";

	private static final String PAST_DEADLINE = "SELECT COUNT(*) FROM kv_dirty WHERE due_at < ?";

	private static final String CLEAN = "DELETE FROM kv_dirty WHERE id = ?";

	/**
	 * Dirty keys whose deadline is by {@code :horizon} (epoch ms), earliest deadline
	 * first: one indexed query when none is.
	 */
	public static final PagedQuery<DirtyKey> DUE = new PagedQuery<>(
			"id, physical_key, dirty_since, COALESCE(staged_at, dirty_since) AS staged_at, due_at", "kv_dirty",
			"due_at <= :horizon", List.of("due_at", "id"),
			(rs, row) -> new DirtyKey(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));

	private static final String OLDEST_CHANGE = "SELECT MIN(staged_at) FROM kv_dirty";

	private final JdbcTemplate jdbc;

	private final Freshness freshness;

	private final Clock clock;

	public DirtyKeys(JdbcTemplate jdbc, PackingRules rules, Clock clock) {
		this.jdbc = jdbc;
		this.freshness = Freshness.of(rules);
		this.clock = clock;
	}

	/**
	 * Marks the keys dirty as changed now, in the caller's transaction. Not safe against
	 * a concurrent marker of the same key: one job runs at a time.
	 */
	public void mark(Collection<String> physicalKeys) {
		long now = this.clock.millis();
		Map<String, Long> staged = new LinkedHashMap<>();
		physicalKeys.forEach((key) -> staged.put(key, now));
		mark(staged);
	}

	/**
	 * Marks the keys dirty, in the caller's transaction, each with the staging time of
	 * the oldest change it now carries: a new mark's deadline is its rule's bound from
	 * then. Not safe against a concurrent marker of the same key: one job runs at a time.
	 * @param stagedAt physical key to the staging time of its oldest change, epoch ms
	 */
	public void mark(Map<String, Long> stagedAt) {
		if (stagedAt.isEmpty()) {
			return;
		}
		Set<String> fresh = new LinkedHashSet<>(stagedAt.keySet());
		this.jdbc.query(MARKED, (ResultSet rs) -> {
			fresh.remove(rs.getString(1));
		}, (Object) fresh.toArray(String[]::new));
		long now = this.clock.millis();
		List<String> keys = new ArrayList<>(fresh);
		this.jdbc.batchUpdate(MARK, keys, keys.size(), (ps, key) -> {
			// A change is never staged after it is applied; a clock set back must not
			// make it due before it was marked.
			long staged = Math.min(stagedAt.getOrDefault(key, now), now);
			ps.setString(1, key);
			ps.setLong(2, now);
			ps.setLong(3, staged);
			ps.setLong(4, this.freshness.deadline(key, staged));
		});
	}

	/**
	 * When the oldest change not yet sent to KV was staged, or {@code null} when every
	 * dirty key is sent: how stale KV is at worst.
	 */
	public @Nullable Instant oldestChange() {
		Long oldest = this.jdbc.queryForObject(OLDEST_CHANGE, Long.class);
		return (oldest != null) ? Instant.ofEpochMilli(oldest) : null;
	}

	/** Physical keys not yet sent whose deadline was before {@code asOf}. */
	public long pastDeadline(Instant asOf) {
		Long keys = this.jdbc.queryForObject(PAST_DEADLINE, Long.class, asOf.toEpochMilli());
		return (keys != null) ? keys : 0;
	}

	/**
	 * Clears the marks of keys that were settled, in the caller's transaction: a key
	 * marked again since keeps its new mark. Idempotent.
	 */
	public void clean(List<DirtyKey> settled) {
		this.jdbc.batchUpdate(CLEAN, settled, settled.size(), (ps, dirty) -> ps.setLong(1, dirty.id()));
	}

}
