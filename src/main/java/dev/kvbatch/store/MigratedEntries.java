package dev.kvbatch.store;

import java.util.List;

import dev.kvbatch.PagedQuery;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The logical keys a migration loaded from legacy keys ({@code kv_migrated}): when each
 * was loaded, whether verify found its packed key matching, and whether its legacy key
 * was deleted. The keys to verify join their entries ({@code kv_entry}): the query is
 * about the migrated keys, so it is here. Every write joins the caller's transaction.
 */
@Component
public class MigratedEntries {

	private static final String LOADED = """
			INSERT INTO kv_migrated (logical_key, rule, migrated_at)
			SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM kv_migrated WHERE logical_key = ?)
			""";

	private static final String VERIFIED_OF = """
			SELECT logical_key FROM kv_migrated
			WHERE logical_key = ANY(?) AND verified_at IS NOT NULL AND legacy_deleted_at IS NULL ORDER BY logical_key
			""";

	private static final String LEGACY_DELETED = "UPDATE kv_migrated SET legacy_deleted_at = ? WHERE logical_key = ?";

	private static final String TO_VERIFY = """
			SELECT m.logical_key, e.kind, e.physical_key, e.field FROM kv_migrated m
			JOIN kv_entry e ON e.logical_key = m.logical_key
			WHERE m.logical_key > ? AND m.legacy_deleted_at IS NULL ORDER BY m.logical_key FETCH FIRST 100 ROWS ONLY
			""";

	private static final String VERIFIED = "UPDATE kv_migrated SET verified_at = ? WHERE logical_key = ?";

	private static final String UNVERIFIED = "UPDATE kv_migrated SET verified_at = NULL WHERE logical_key = ?";

	/** Verified migrated keys whose legacy key is still there, in key order. */
	public static final PagedQuery<String> VERIFIED_PAGE = new PagedQuery<>("logical_key", "kv_migrated",
			"verified_at IS NOT NULL AND legacy_deleted_at IS NULL", List.of("logical_key"),
			(rs, row) -> rs.getString(1));

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	public MigratedEntries(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
	}

	/**
	 * Records keys as loaded by their rule; a key already recorded keeps its record.
	 * Idempotent.
	 * @param migratedAt epoch milliseconds
	 */
	public void loaded(List<Loaded> keys, long migratedAt) {
		this.jdbc.batchUpdate(LOADED, keys, keys.size(), (ps, key) -> {
			ps.setString(1, key.logicalKey());
			ps.setString(2, key.rule());
			ps.setLong(3, migratedAt);
			ps.setString(4, key.logicalKey());
		});
	}

	/**
	 * Of the given keys, those verified whose legacy key was not deleted, in key order.
	 */
	public List<String> verifiedOf(List<? extends String> logicalKeys) {
		return this.jdbc.queryForList(VERIFIED_OF, String.class, (Object) logicalKeys.toArray(String[]::new));
	}

	/**
	 * Records that the legacy keys were deleted.
	 * @param deletedAt epoch milliseconds
	 */
	public void legacyDeleted(List<String> logicalKeys, long deletedAt) {
		this.jdbc.batchUpdate(LEGACY_DELETED, logicalKeys, logicalKeys.size(), (ps, key) -> {
			ps.setLong(1, deletedAt);
			ps.setString(2, key);
		});
	}

	/**
	 * Up to 100 migrated keys after {@code after}, in key order, still in the logical
	 * store and whose legacy key was not deleted, with where their entry is packed.
	 */
	public List<ToVerify> toVerify(String after) {
		return this.client.sql(TO_VERIFY).param(after).query(ToVerify.class).list();
	}

	/**
	 * Marks a key verified ({@code verifiedAt} in epoch milliseconds) or, with
	 * {@code null}, not verified.
	 */
	public void verified(String logicalKey, @Nullable Long verifiedAt) {
		if (verifiedAt == null) {
			this.client.sql(UNVERIFIED).param(logicalKey).update();
		}
		else {
			this.client.sql(VERIFIED).params(verifiedAt, logicalKey).update();
		}
	}

	/** A key a migration loaded, and the rule that placed it. */
	public record Loaded(String logicalKey, String rule) {
	}

	/** A migrated key to verify, and where its entry is packed. */
	public record ToVerify(String logicalKey, String kind, String physicalKey, String field) {
	}

}
