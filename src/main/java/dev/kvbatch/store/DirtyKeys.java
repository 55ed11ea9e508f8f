package dev.kvbatch.store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Marks physical keys whose value may have changed ({@code kv_dirty}). A key already
 * marked keeps its place in the queue, so the longest-dirty keys are flushed first.
 */
@Component
public class DirtyKeys {

	private static final String MARKED = "SELECT physical_key FROM kv_dirty WHERE physical_key = ANY(?)";

	private static final String MARK = "INSERT INTO kv_dirty (physical_key, dirty_since) VALUES (?, ?)";

	private static final String DIRTY_SINCE = "SELECT COUNT(*) FROM kv_dirty WHERE dirty_since < ?";

	private final JdbcTemplate jdbc;

	private final Clock clock;

	public DirtyKeys(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * Marks the keys dirty, in the caller's transaction. Not safe against a concurrent
	 * marker of the same key: one job runs at a time.
	 */
	public void mark(Collection<String> physicalKeys) {
		if (physicalKeys.isEmpty()) {
			return;
		}
		Set<String> fresh = new LinkedHashSet<>(physicalKeys);
		this.jdbc.query(MARKED, (ResultSet rs) -> {
			fresh.remove(rs.getString(1));
		}, (Object) fresh.toArray(String[]::new));
		long now = this.clock.millis();
		List<String> keys = new ArrayList<>(fresh);
		this.jdbc.batchUpdate(MARK, keys, keys.size(), (ps, key) -> {
			ps.setString(1, key);
			ps.setLong(2, now);
		});
	}

	/** Physical keys dirty since before {@code asOf} and not yet sent. */
	public long dirtySince(Instant asOf) {
		Long keys = this.jdbc.queryForObject(DIRTY_SINCE, Long.class, asOf.toEpochMilli());
		return (keys != null) ? keys : 0;
	}

}
