package dev.kvbatch.kv.local;

import dev.kvbatch.kv.KvChecks;
import dev.kvbatch.kv.RequestLimits;
import dev.kvbatch.kv.KvItemsRefusedException;
import dev.kvbatch.kv.KvRejectedException;
import dev.kvbatch.kv.KvTarget;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PhysicalValue;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The embedded target: a KV namespace kept in the kvbatch database ({@code kv_local}). It
 * enforces KV's limits and honours expirations on read, so a local run sees what
 * Cloudflare would show. Calls join the caller's transaction, so a chunk that rolls back
 * leaves the namespace as it was.
 */
public class LocalKvTarget implements KvTarget {

	static final String DELETE = "DELETE FROM kv_local WHERE key_name = ?";

	static final String EXPIRED_DUE = "SELECT COUNT(*) FROM kv_local WHERE expires_at <= ?";

	static final String EXPIRED_BATCH = "SELECT key_name FROM kv_local WHERE expires_at <= ? FETCH FIRST ? ROWS ONLY";

	/** A raw value is kept as base64 text, flagged ({@code NULL} for text). */
	private static final String INSERT = """
			INSERT INTO kv_local (key_name, value_text, expires_at, value_base64) VALUES (?, ?, ?, ?)""";

	private static final String GET = """
			SELECT key_name, value_text, expires_at, value_base64 FROM kv_local
			WHERE key_name = ? AND (expires_at IS NULL OR expires_at > ?)
			""";

	private static final String BULK_GET = """
			SELECT key_name, value_text, expires_at, value_base64 FROM kv_local
			WHERE key_name IN (:keys) AND (expires_at IS NULL OR expires_at > :now)
			""";

	/**
	 * Workers KV's request limits, which the embedded store keeps so that a local run is
	 * refused and metered as a Cloudflare run would be.
	 */
	public static final RequestLimits LIMITS = new RequestLimits(10_000, 100, 1000);

	/** Keys per {@code IN} list of a bulk get, to keep statements bounded. */
	private static final int BULK_GET_KEYS = 1000;

	private static final String LIST = """
			SELECT key_name, expires_at FROM kv_local
			WHERE key_name >= ? AND key_name > ? AND (expires_at IS NULL OR expires_at > ?)
			ORDER BY key_name
			FETCH FIRST ? ROWS ONLY
			""";

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	private final Clock clock;

	public LocalKvTarget(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
		this.clock = clock;
	}

	@Override
	public String name() {
		return "local";
	}

	@Override
	public RequestLimits limits() {
		return LIMITS;
	}

	/**
	 * Stores the values that keep within KV's limits; an expiration under 60 s away is
	 * kept as 60 s from now, as KV keeps the minimum TTL a remote target sends for it.
	 * @throws KvItemsRefusedException after storing the others, if some break a limit
	 */
	@Override
	public List<String> put(List<PhysicalValue> values) {
		long now = this.clock.instant().getEpochSecond();
		LIMITS.checkBulk(values.size());
		List<KvItemsRefusedException.Refusal> refused = new ArrayList<>();
		List<PhysicalValue> valid = new ArrayList<>();
		for (PhysicalValue value : values) {
			String problem = KvChecks.refusal(value);
			if (problem != null) {
				refused.add(new KvItemsRefusedException.Refusal(List.of(value.key()), problem, true));
			}
			else {
				valid.add(value);
			}
		}
		this.jdbc.batchUpdate(DELETE, valid, valid.size(), (ps, value) -> ps.setString(1, value.key()));
		this.jdbc.batchUpdate(INSERT, valid, valid.size(), (ps, value) -> {
			ps.setString(1, value.key());
			ps.setString(2, value.value());
			ps.setObject(3, KvChecks.storedExpiration(value.expiresAt(), now));
			ps.setObject(4, value.base64() ? Boolean.TRUE : null, java.sql.Types.BOOLEAN);
		});
		if (!refused.isEmpty()) {
			throw new KvItemsRefusedException(refused, List.of());
		}
		return List.of();
	}

	/**
	 * Deletes the keys that keep within KV's limits.
	 * @throws KvItemsRefusedException after deleting the others, if some break a limit
	 */
	@Override
	public List<String> delete(List<String> keys) {
		LIMITS.checkBulk(keys.size());
		List<KvItemsRefusedException.Refusal> refused = new ArrayList<>();
		List<String> valid = new ArrayList<>();
		for (String key : keys) {
			String problem = KvChecks.refusal(key);
			if (problem != null) {
				refused.add(new KvItemsRefusedException.Refusal(List.of(key), problem, true));
			}
			else {
				valid.add(key);
			}
		}
		this.jdbc.batchUpdate(DELETE, valid, valid.size(), (ps, key) -> ps.setString(1, key));
		if (!refused.isEmpty()) {
			throw new KvItemsRefusedException(refused, List.of());
		}
		return List.of();
	}

	@Override
	public Optional<StoredValue> get(String key) {
		KvChecks.key(key);
		return this.client.sql(GET)
			.params(key, this.clock.instant().getEpochSecond())
			.query(LocalKvTarget::storedValue)
			.optional();
	}

	/** One query per 1,000 keys; the values come back in the order asked. */
	@Override
	public List<StoredValue> bulkGet(List<String> keys) {
		keys.forEach(KvChecks::key);
		long now = this.clock.instant().getEpochSecond();
		Map<String, StoredValue> found = new HashMap<>();
		for (int from = 0; from < keys.size(); from += BULK_GET_KEYS) {
			this.client.sql(BULK_GET)
				.param("keys", keys.subList(from, Math.min(keys.size(), from + BULK_GET_KEYS)))
				.param("now", now)
				.query(LocalKvTarget::storedValue)
				.list()
				.forEach((value) -> found.put(value.key(), value));
		}
		return keys.stream().map(found::get).filter(Objects::nonNull).toList();
	}

	@Override
	public ListPage list(String prefix, @Nullable String cursor, int limit) {
		LIMITS.checkListLimit(limit);
		// Keys >= prefix, stopping at the first key past the prefix: a range scan on the
		// primary key.
		List<ListedKey> rows = this.client.sql(LIST)
			.params(prefix, (cursor != null) ? cursor : "", this.clock.instant().getEpochSecond(), limit + 1)
			.query((rs, row) -> {
				long expiration = rs.getLong(2);
				// wasNull() speaks of the last column read: ask it before reading the
				// key.
				Long expiresAt = rs.wasNull() ? null : expiration;
				return new ListedKey(rs.getString(1), expiresAt);
			})
			.list();
		List<ListedKey> page = rows.stream().takeWhile((row) -> row.key().startsWith(prefix)).toList();
		boolean more = page.size() > limit;
		List<ListedKey> keys = more ? page.subList(0, limit) : page;
		return new ListPage(keys, more ? keys.get(keys.size() - 1).key() : null);
	}

	private static StoredValue storedValue(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
		long expiration = rs.getLong(3);
		Long expiresAt = rs.wasNull() ? null : expiration;
		if (rs.getBoolean(4)) {
			// Read as KV answers bytes: as text when they are UTF-8.
			return StoredValue.ofBytes(rs.getString(1), Base64.getDecoder().decode(rs.getString(2)), expiresAt);
		}
		return new StoredValue(rs.getString(1), rs.getString(2), expiresAt);
	}

}
