package dev.kvbatch.store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Marks physical keys whose value may have changed ({@code kv_dirty}). A key already
 * marked keeps its place in the queue, so the longest-dirty keys are flushed first.
 */
@Component
public class DirtyKeys {

	private static final String MARK = """
			INSERT INTO kv_dirty (physical_key, dirty_since)
			SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM kv_dirty WHERE physical_key = ?)
			""";

	private final JdbcTemplate jdbc;

	private final Clock clock;

	public DirtyKeys(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/** Marks the keys dirty, in the caller's transaction. */
	public void mark(Collection<String> physicalKeys) {
		long now = this.clock.millis();
		List<String> keys = new ArrayList<>(physicalKeys);
		this.jdbc.batchUpdate(MARK, keys, keys.size(), (ps, key) -> {
			ps.setString(1, key);
			ps.setLong(2, now);
			ps.setString(3, key);
		});
	}

	/** How many physical keys wait to be flushed. */
	public long count() {
		Long count = this.jdbc.queryForObject("SELECT COUNT(*) FROM kv_dirty", Long.class);
		return (count != null) ? count : 0;
	}

}
