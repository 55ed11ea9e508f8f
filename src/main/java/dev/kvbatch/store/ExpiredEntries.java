package dev.kvbatch.store;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Removes logical entries past their expiration and marks the physical keys that held
 * them, so the next flush rewrites them without the stale entries, deletes them, or, when
 * KV has already expired them, just forgets them.
 *
 * <p>
 * A rollup bucket expires whole: its entries are removed only once none of them is live,
 * so an hour's summary is never rewritten with part of its counts missing.
 */
@Component
public class ExpiredEntries {

	/**
	 * The rows a prune removes, for a paging reader over {@code kv_entry e}; {@code :now}
	 * is epoch seconds.
	 */
	public static final String WHERE = """
			e.expires_at <= :now AND NOT (e.kind = 'ROLLUP' AND EXISTS (SELECT 1 FROM kv_entry l
			WHERE l.physical_key = e.physical_key AND (l.expires_at IS NULL OR l.expires_at > :now)))""";

	private static final String DELETE = "DELETE FROM kv_entry WHERE logical_key = ?";

	private final JdbcTemplate jdbc;

	private final DirtyKeys dirtyKeys;

	public ExpiredEntries(JdbcTemplate jdbc, DirtyKeys dirtyKeys) {
		this.jdbc = jdbc;
		this.dirtyKeys = dirtyKeys;
	}

	/**
	 * Removes the entries and marks their physical keys dirty, in the caller's
	 * transaction. Idempotent.
	 */
	public void remove(List<? extends ExpiredEntry> entries) {
		this.jdbc.batchUpdate(DELETE, entries, entries.size(), (ps, entry) -> ps.setString(1, entry.logicalKey()));
		Set<String> physicalKeys = new LinkedHashSet<>();
		entries.forEach((entry) -> physicalKeys.add(entry.physicalKey()));
		this.dirtyKeys.mark(physicalKeys);
	}

}
