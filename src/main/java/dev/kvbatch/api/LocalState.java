package dev.kvbatch.api;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a read answers: the newest staged state of a logical key, from the newest place
 * that holds it. In order: a spool file not yet ingested ({@link PendingSpool}), an
 * outbox row compress has not applied yet, the logical store. Read-only; thread-safe.
 * <p>
 * The outbox cursor is read before the outbox rows: a compress that applies a row between
 * the two reads leaves the row above the cursor read, so the row is still found; one that
 * applied it before leaves it in the logical store.
 */
final class LocalState {

	/** Compress's position in the outbox (store.Cursors' {@code outbox} cursor). */
	private static final String APPLIED = "SELECT COALESCE(MAX(position), 0) FROM kv_cursor WHERE name = 'outbox'";

	/**
	 * Bounded by the backlog: only rows past the cursor are read, in the primary key's
	 * range.
	 */
	private static final String NEWEST_UNAPPLIED = """
			SELECT op, value_json, expires_at, value_base64 FROM kv_outbox WHERE id > ? AND logical_key = ?
			ORDER BY id DESC FETCH FIRST 1 ROWS ONLY
			""";

	private static final String UNAPPLIED_KEYS = """
			SELECT logical_key, op FROM kv_outbox WHERE id > ? AND logical_key > ? AND logical_key LIKE ? ESCAPE '\\'
			ORDER BY id
			""";

	private static final String ENTRY = """
			SELECT value_json, expires_at, value_base64 FROM kv_entry WHERE logical_key = ?""";

	private static final String ENTRIES = """
			SELECT logical_key, expires_at FROM kv_entry WHERE logical_key > ? AND logical_key LIKE ? ESCAPE '\\'
			ORDER BY logical_key FETCH FIRST ? ROWS ONLY
			""";

	private static final String UNAPPLIED_COUNT = "SELECT COALESCE(MAX(id), 0) FROM kv_outbox";

	private final JdbcTemplate jdbc;

	private final PendingSpool pending;

	private final Clock clock;

	private final PackedReads packed;

	LocalState(JdbcTemplate jdbc, PendingSpool pending, PackedReads packed, Clock clock) {
		this.jdbc = jdbc;
		this.pending = pending;
		this.packed = packed;
		this.clock = clock;
	}

	/**
	 * What a read of {@code key} answers: the logical key's newest staged state or, for a
	 * key no logical key is named like, the physical key's value as compress will write
	 * it; {@code null} when kvbatch has never seen the key.
	 */
	PendingSpool.@Nullable State read(String key) throws IOException {
		PendingSpool.State state = find(key);
		if (state == null) {
			state = this.packed.find(key, applied(), this::find);
		}
		return state;
	}

	/**
	 * The newest staged state of {@code key}: its value, or deleted (also when expired);
	 * {@code null} when kvbatch has never seen the key.
	 */
	PendingSpool.@Nullable State find(String key) throws IOException {
		PendingSpool.State state = this.pending.find(key);
		if (state == null) {
			long applied = applied();
			List<PendingSpool.State> rows = this.jdbc.query(
					NEWEST_UNAPPLIED, (rs,
							n) -> "D".equals(rs.getString(1)) ? PendingSpool.State.DELETED : new PendingSpool.State(
									rs.getString(2), (Long) rs.getObject(3, Long.class), rs.getBoolean(4)),
					applied, key);
			state = rows.isEmpty() ? null : rows.get(0);
		}
		if (state == null) {
			List<PendingSpool.State> rows = this.jdbc.query(ENTRY, (rs, n) -> new PendingSpool.State(rs.getString(1),
					(Long) rs.getObject(2, Long.class), rs.getBoolean(3)), key);
			state = rows.isEmpty() ? null : rows.get(0);
		}
		if (state != null && !state.deleted() && state.expiresAt() != null
				&& state.expiresAt() <= this.clock.instant().getEpochSecond()) {
			return PendingSpool.State.DELETED;
		}
		return state;
	}

	/**
	 * Up to {@code limit} live logical keys starting with {@code prefix} after
	 * {@code after}, in key order, each with its expiration (or {@code null}).
	 */
	Map<String, @Nullable Long> list(String prefix, String after, int limit) {
		String like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
		long applied = applied();
		Map<String, Boolean> unapplied = new TreeMap<>();
		this.jdbc.query(UNAPPLIED_KEYS, (rs) -> {
			unapplied.put(rs.getString(1), "P".equals(rs.getString(2)));
		}, applied, after, like);
		unapplied.putAll(this.pending.keys(prefix, after));
		long now = this.clock.instant().getEpochSecond();
		TreeMap<String, @Nullable Long> keys = new TreeMap<>();
		String[] last = new String[1];
		int[] fetched = new int[1];
		// Enough stored entries to fill the page even if every unapplied delete hides
		// one.
		int wanted = limit + (int) Math.min(unapplied.size(), 100_000);
		this.jdbc.query(ENTRIES, (rs) -> {
			last[0] = rs.getString(1);
			fetched[0]++;
			long expires = rs.getLong(2);
			Long expiration = rs.wasNull() ? null : expires;
			if (expiration == null || expiration > now) {
				keys.put(rs.getString(1), expiration);
			}
		}, after, like, wanted);
		unapplied.forEach((key, put) -> {
			if (put) {
				if (!keys.containsKey(key)) {
					keys.put(key, expirationOf(key));
				}
			}
			else {
				keys.remove(key);
			}
		});
		if (fetched[0] == wanted) {
			// Stored keys past the last one read are unknown: nothing after it goes on
			// this page.
			keys.tailMap(last[0], false).clear();
		}
		List<String> page = new ArrayList<>(keys.keySet());
		Map<String, @Nullable Long> result = new TreeMap<>();
		for (String key : page.subList(0, Math.min(limit, page.size()))) {
			result.put(key, keys.get(key));
		}
		return result;
	}

	/**
	 * Staged operations compress has not applied: unapplied outbox rows and pending spool
	 * records.
	 */
	long backlog() {
		Long high = this.jdbc.queryForObject(UNAPPLIED_COUNT, Long.class);
		return Math.max(0, ((high != null) ? high : 0) - applied()) + this.pending.backlog();
	}

	private @Nullable Long expirationOf(String key) {
		try {
			PendingSpool.State state = find(key);
			return (state != null) ? state.expiresAt() : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	private long applied() {
		Long position = this.jdbc.queryForObject(APPLIED, Long.class);
		return (position != null) ? position : 0;
	}

}
