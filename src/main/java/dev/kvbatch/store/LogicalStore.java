package dev.kvbatch.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

import dev.kvbatch.PagedQuery;
import dev.kvbatch.pack.PackException;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.pack.Placement;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.Op;
import dev.kvbatch.stage.RecordValidator;
import dev.kvbatch.stage.Rejection;
import dev.kvbatch.stage.StagedRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The live logical entries ({@code kv_entry}), their only owner: applying the outbox to
 * them marks the physical keys they dirty ({@link DirtyKeys}). The reads other rooms need
 * are here too: the live entries of a physical key ({@link PhysicalViews}), the expired
 * ones ({@link #EXPIRED}, for prune), and for a migration the entries to write back and
 * the figures per rule, which join the migrated keys ({@code kv_migrated}) because they
 * are about the entries.
 *
 * <p>
 * {@link #apply} is idempotent per chunk: it sets each logical key to its last staged
 * state (it does not add to it), marks the physical keys whose value may have changed,
 * and moves the outbox cursor, all in the caller's transaction. Replaying a chunk after a
 * rollback gives the same entries, so a rollup never counts an entry twice. Not
 * thread-safe: one compress at a time.
 */
@Component
public class LogicalStore {

	private static final Logger log = LoggerFactory.getLogger(LogicalStore.class);

	// Only a counter's value is needed; other values (up to 25 MiB) are not read back.
	private static final String EXISTING = """
			SELECT logical_key, physical_key, kind, CASE WHEN kind = 'COUNTER' THEN value_json END
			FROM kv_entry WHERE logical_key = ANY(?)
			""";

	private static final String DELETE = "DELETE FROM kv_entry WHERE logical_key = ?";

	private static final String UPDATE = """
			UPDATE kv_entry SET rule = ?, kind = ?, physical_key = ?, field = ?, value_json = ?, metric = ?,
			expires_at = ?, event_at = ?, value_base64 = ? WHERE logical_key = ?
			""";

	private static final String INSERT = """
			INSERT INTO kv_entry (logical_key, rule, kind, physical_key, field, value_json, metric, expires_at, event_at,
			value_base64)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			""";

	private static final String KNOWN = "SELECT logical_key FROM kv_entry WHERE logical_key = ANY(?)";

	private static final String LIVE = """
			SELECT logical_key, rule, kind, field, value_json, metric, expires_at, value_base64 FROM kv_entry
			WHERE physical_key = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY logical_key
			""";

	private static final String VALUE = """
			SELECT value_json, expires_at, value_base64 FROM kv_entry WHERE logical_key = ?""";

	private static final String KEYS_AFTER = """
			SELECT logical_key, expires_at FROM kv_entry WHERE logical_key > ? AND logical_key LIKE ? ESCAPE '\\'
			ORDER BY logical_key FETCH FIRST ? ROWS ONLY
			""";

	private static final String PACKED_AFTER = """
			SELECT logical_key, value_json, expires_at FROM kv_entry
			WHERE kind IN ('MAP', 'ROLLUP') AND logical_key > ? AND (expires_at IS NULL OR expires_at > ?)
			ORDER BY logical_key FETCH FIRST 1000 ROWS ONLY
			""";

	private static final String STATS = """
			SELECT e.rule, COUNT(*) AS logical_keys, COUNT(DISTINCT e.physical_key) AS packed_keys,
			SUM(OCTET_LENGTH(e.logical_key) + OCTET_LENGTH(e.value_json)) AS bytes,
			COUNT(m.logical_key) AS migrated_keys
			FROM kv_entry e LEFT JOIN kv_migrated m ON m.logical_key = e.logical_key
			WHERE e.kind IN ('MAP', 'ROLLUP') GROUP BY e.rule ORDER BY e.rule
			""";

	/**
	 * The entries a prune removes, in key order; {@code :now} is epoch seconds. A rollup
	 * bucket's entries only once none of them is live.
	 */
	public static final PagedQuery<ExpiredEntry> EXPIRED = new PagedQuery<>("e.logical_key, e.physical_key",
			"kv_entry e", """
					e.expires_at <= :now AND NOT (e.kind = 'ROLLUP' AND EXISTS (SELECT 1 FROM kv_entry l
					WHERE l.physical_key = e.physical_key AND (l.expires_at IS NULL OR l.expires_at > :now)))""",
			List.of("logical_key"), (rs, row) -> new ExpiredEntry(rs.getString(1), rs.getString(2)));

	private final JdbcTemplate jdbc;

	private final PackingRules rules;

	private final JsonMapper mapper;

	private final Cursors cursors;

	private final DeadLetters deadLetters;

	private final DirtyKeys dirtyKeys;

	private final Clock clock;

	public LogicalStore(JdbcTemplate jdbc, PackingRules rules, JsonMapper mapper, Cursors cursors,
			DeadLetters deadLetters, DirtyKeys dirtyKeys, Clock clock) {
		this.jdbc = jdbc;
		this.rules = rules;
		this.mapper = mapper;
		this.cursors = cursors;
		this.deadLetters = deadLetters;
		this.dirtyKeys = dirtyKeys;
		this.clock = clock;
	}

	/**
	 * Applies outbox rows, given in id order, and moves the outbox cursor past the last
	 * one. A row its rule cannot place goes to the dead letters with its outbox id and
	 * reason; the others are applied.
	 *
	 * <p>
	 * The rows may be the latest of their keys in a window of the outbox (see
	 * {@link LatestRow}): a row left out because a later row of its key supersedes it
	 * changes nothing, so the cursor may pass it.
	 */
	public void apply(List<LatestRow> rows) {
		if (rows.isEmpty()) {
			return;
		}
		Map<String, Outbox.Row> last = new LinkedHashMap<>();
		long highestSeq = 0;
		for (LatestRow latest : rows) {
			last.put(latest.row().record().key(), latest.row());
			highestSeq = Math.max(highestSeq, latest.seqUpTo());
		}
		Placement counter = (highestSeq > 0) ? counterPlacement() : null;
		Set<String> lookup = new LinkedHashSet<>(last.keySet());
		if (counter != null) {
			lookup.add(counter.physicalKey());
		}
		Map<String, Existing> existing = existing(lookup);
		Map<String, Entry> upserts = new LinkedHashMap<>();
		Set<String> removed = new LinkedHashSet<>();
		// Each dirtied physical key, with the staging time of the oldest change it takes.
		Map<String, Long> dirty = new LinkedHashMap<>();
		for (Outbox.Row row : last.values()) {
			StagedRecord record = row.record();
			Existing before = existing.get(record.key());
			long stagedAt = record.stagedAt().toEpochMilli();
			if (before != null) {
				dirty.merge(before.physicalKey(), stagedAt, Math::min);
			}
			if (record.op() == Op.DELETE) {
				if (before != null) {
					removed.add(record.key());
				}
				continue;
			}
			Entry entry = place(row);
			if (entry == null) {
				continue;
			}
			upserts.put(record.key(), entry);
			dirty.merge(entry.placement().physicalKey(), stagedAt, Math::min);
		}
		if (counter != null) {
			applyCounter(counter, highestSeq, existing, upserts, dirty, rows.get(rows.size() - 1).row());
		}
		write(removed, upserts, dirty, existing);
		this.cursors.advance(Cursors.OUTBOX, rows.get(rows.size() - 1).row().id());
	}

	/**
	 * Where a staged record's entry goes, or {@code null} when it cannot go anywhere: the
	 * row is then dead-lettered on its own, with a staging line that stages it again, and
	 * the rest of the chunk is applied.
	 */
	private @Nullable Entry place(Outbox.Row row) {
		StagedRecord record = row.record();
		String field = "key";
		try {
			Placement placement = this.rules.place(record.key(), record.at());
			field = "value";
			String value = Objects.requireNonNull(record.valueJson(), "a put's value");
			if (record.base64() && placement.kind() != PackKind.DIRECT) {
				throw new PackException("raw bytes (staged with base64) go only to a direct key; rule "
						+ placement.rule() + " packs values as JSON");
			}
			Double metric = null;
			if (placement.kind() == PackKind.ROLLUP) {
				metric = PackingRules.metricOf(this.mapper.readTree(value));
			}
			if (placement.kind() == PackKind.COUNTER) {
				counterValue(value);
			}
			return new Entry(record.key(), placement, value, metric, record.expiresAt(), record.at().toEpochMilli(),
					record.base64());
		}
		catch (RuntimeException ex) {
			// Staging checks the same rules: the rules changed since, or the row was
			// staged
			// by a version that checked less. Keep the row, with why.
			String reason = (ex instanceof PackException || ex instanceof JacksonException) ? ex.getMessage()
					: "cannot be applied (" + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")";
			this.deadLetters.add(new Rejection("outbox", row.id(), field,
					"logical key \"" + record.key() + "\": " + reason, stagingLine(record)));
			log.warn("Outbox row {} (logical key \"{}\") dead-lettered: {}", row.id(), record.key(), reason);
			return null;
		}
	}

	/**
	 * The staging line that stages a dead-lettered row again, cut as a dead letter keeps
	 * it.
	 */
	private String stagingLine(StagedRecord record) {
		ObjectNode line = this.mapper.createObjectNode();
		line.put("op", (record.op() == Op.PUT) ? "put" : "delete");
		line.put("key", record.key());
		if (record.valueJson() != null) {
			line.putRawValue("value", new RawValue(record.valueJson()));
			if (record.base64()) {
				line.put("base64", true);
			}
		}
		if (record.expiresAt() != null) {
			line.put("expiration", record.expiresAt());
		}
		line.put("at", record.at().toString());
		String text = this.mapper.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(line);
		int max = RecordValidator.MAX_RAW_CHARS;
		return (text.length() <= max) ? text
				: text.substring(0, Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max);
	}

	private void applyCounter(Placement counter, long highestSeq, Map<String, Existing> existing,
			Map<String, Entry> upserts, Map<String, Long> dirty, Outbox.Row lastRow) {
		String key = counter.physicalKey();
		Entry staged = upserts.get(key);
		Existing stored = existing.get(key);
		long current = (staged != null) ? counterValue(staged.valueJson())
				: ((stored != null) ? counterValue(stored.valueJson()) : 0);
		long value = Math.max(highestSeq, current);
		if (staged == null && stored != null && value == current) {
			return;
		}
		upserts.put(key,
				new Entry(key, counter, Long.toString(value), null, null, lastRow.record().at().toEpochMilli()));
		dirty.merge(key, lastRow.record().stagedAt().toEpochMilli(), Math::min);
	}

	private @Nullable Placement counterPlacement() {
		return this.rules.rules()
			.stream()
			.filter((rule) -> rule.kind() == PackKind.COUNTER)
			.findFirst()
			.map((rule) -> this.rules.place(rule.match().toString(), this.clock.instant()))
			.orElse(null);
	}

	private Map<String, Existing> existing(Set<String> keys) {
		Map<String, Existing> existing = new HashMap<>();
		this.jdbc.query(EXISTING, (ResultSet rs) -> {
			existing.put(rs.getString(1), new Existing(rs.getString(2), rs.getString(3), rs.getString(4)));
		}, (Object) keys.toArray(String[]::new));
		return existing;
	}

	/**
	 * Existing entries are updated in place and new ones inserted: one write per key and
	 * chunk.
	 */
	private void write(Set<String> removed, Map<String, Entry> upserts, Map<String, Long> dirty,
			Map<String, Existing> existing) {
		remove(new ArrayList<>(removed));
		List<Entry> updates = new ArrayList<>();
		List<Entry> inserts = new ArrayList<>();
		for (Entry entry : upserts.values()) {
			(existing.containsKey(entry.logicalKey()) ? updates : inserts).add(entry);
		}
		this.jdbc.batchUpdate(UPDATE, updates, updates.size(), (ps, entry) -> {
			bindColumns(ps, entry, 1);
			ps.setString(10, entry.logicalKey());
		});
		insert(inserts);
		this.dirtyKeys.mark(dirty);
	}

	/**
	 * Inserts entries whose logical keys have none yet, in the caller's transaction; the
	 * caller marks their physical keys dirty.
	 */
	public void insert(List<Entry> entries) {
		this.jdbc.batchUpdate(INSERT, entries, entries.size(), (ps, entry) -> {
			ps.setString(1, entry.logicalKey());
			bindColumns(ps, entry, 2);
		});
	}

	/**
	 * Binds rule, kind, physical key, field, value, metric, expiration, event time and
	 * whether the value is raw bytes from {@code first} on.
	 */
	private static void bindColumns(PreparedStatement ps, Entry entry, int first) throws SQLException {
		ps.setString(first, entry.placement().rule());
		ps.setString(first + 1, entry.placement().kind().name());
		ps.setString(first + 2, entry.placement().physicalKey());
		ps.setString(first + 3, entry.placement().field());
		ps.setString(first + 4, entry.valueJson());
		ps.setObject(first + 5, entry.metric());
		ps.setObject(first + 6, entry.expiresAt());
		ps.setLong(first + 7, entry.eventAt());
		// NULL, not false, for a JSON value, as rows were before raw values.
		ps.setObject(first + 8, entry.base64() ? Boolean.TRUE : null, java.sql.Types.BOOLEAN);
	}

	/** Of the given logical keys, those with an entry. Read-only. */
	public List<String> known(List<String> logicalKeys) {
		return this.jdbc.queryForList(KNOWN, String.class, (Object) logicalKeys.toArray(String[]::new));
	}

	/**
	 * The entries of a physical key live at {@code now} (epoch seconds), in key order.
	 */
	public List<PhysicalViews.Row> live(String physicalKey, long now) {
		return JdbcClient.create(this.jdbc).sql(LIVE).params(physicalKey, now).query(PhysicalViews.Row.class).list();
	}

	/** The stored value of a logical key, or {@code null} when it has none. Read-only. */
	public @Nullable Value value(String logicalKey) {
		List<Value> rows = this.jdbc.query(VALUE,
				(rs, n) -> new Value(rs.getString(1), (Long) rs.getObject(2, Long.class), rs.getBoolean(3)),
				logicalKey);
		return rows.isEmpty() ? null : rows.get(0);
	}

	/**
	 * Up to {@code limit} stored logical keys after {@code after} that are {@code LIKE}
	 * {@code like} (a backslash escapes), in key order, each with its expiration (epoch
	 * seconds, or {@code null}), expired ones included. Read-only.
	 */
	public void keysAfter(String after, String like, int limit, BiConsumer<String, @Nullable Long> each) {
		this.jdbc.query(KEYS_AFTER, (rs) -> {
			String key = rs.getString(1);
			long expires = rs.getLong(2);
			each.accept(key, rs.wasNull() ? null : expires);
		}, after, like, limit);
	}

	/**
	 * Removes entries, in the caller's transaction; the caller marks their physical keys
	 * dirty. Idempotent.
	 */
	public void remove(List<String> logicalKeys) {
		this.jdbc.batchUpdate(DELETE, logicalKeys, logicalKeys.size(), (ps, key) -> ps.setString(1, key));
	}

	/**
	 * Up to 1000 map and rollup entries after {@code after}, in key order, that are live
	 * after {@code liveAfter} (epoch seconds). Read-only.
	 */
	public List<Stored> packedAfter(String after, long liveAfter) {
		return JdbcClient.create(this.jdbc).sql(PACKED_AFTER).params(after, liveAfter).query(Stored.class).list();
	}

	/** Per map and rollup rule: its entries, packed keys, bytes and migrated keys. */
	public List<RuleStats> stats() {
		return JdbcClient.create(this.jdbc).sql(STATS).query(RuleStats.class).list();
	}

	/**
	 * An entry's key, value and expiration.
	 * @param expiresAt epoch seconds, {@code null} for never
	 */
	/** A stored value: JSON text, or base64 of raw bytes when {@code base64}. */
	public record Value(String valueJson, @Nullable Long expiresAt, boolean base64) {
	}

	public record Stored(String logicalKey, String valueJson, @Nullable Long expiresAt) {
	}

	/**
	 * One map or rollup rule's figures.
	 *
	 * @param rule the rule's name
	 * @param logicalKeys live and expired entries the rule packs
	 * @param packedKeys the physical keys they are packed into
	 * @param bytes UTF-8 bytes of their keys and values
	 * @param migratedKeys of the entries, those loaded from legacy keys
	 */
	public record RuleStats(String rule, long logicalKeys, long packedKeys, long bytes, long migratedKeys) {
	}

	private record Existing(String physicalKey, String kind, String valueJson) {
	}

	/**
	 * A live logical entry as {@code kv_entry} holds it.
	 *
	 * @param metric the rollup metric, {@code null} for other kinds
	 * @param expiresAt epoch seconds, {@code null} for never
	 * @param eventAt epoch milliseconds of the event it records
	 * @param base64 whether the value is raw bytes: a JSON string of their base64
	 */
	public record Entry(String logicalKey, Placement placement, String valueJson, @Nullable Double metric,
			@Nullable Long expiresAt, long eventAt, boolean base64) {

		/** An entry whose value is JSON. */
		public Entry(String logicalKey, Placement placement, String valueJson, @Nullable Double metric,
				@Nullable Long expiresAt, long eventAt) {
			this(logicalKey, placement, valueJson, metric, expiresAt, eventAt, false);
		}

	}

	/**
	 * A counter value is staged as a number or a string of digits, from 0 to
	 * {@link Long#MAX_VALUE} (staging checks it; {@link #place} checks it again).
	 * @throws NumberFormatException if it is not one
	 */
	private static long counterValue(String json) {
		long value = Long.parseLong(json.replace("\"", "").trim());
		if (value < 0) {
			throw new NumberFormatException("a counter is at least 0, got " + json);
		}
		return value;
	}

}
