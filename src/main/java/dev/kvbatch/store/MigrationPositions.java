package dev.kvbatch.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kvbatch.Upserts;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * How far a migration has listed each rule's legacy keys ({@code kv_migration}): one row
 * per rule, the page cursor it was reading and the last key it loaded. Moved in the
 * caller's transaction, with the chunk it accounts for, so a chunk that rolls back is
 * listed again and a committed one never is. Not trimmed: a rule has one row whatever its
 * keys.
 */
@Component
public class MigrationPositions {

	private static final String POSITION = "SELECT list_cursor, last_key FROM kv_migration WHERE rule = ?";

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	/** Records where a rule's listing stands, or starts it. */
	private final String move;

	public MigrationPositions(JdbcTemplate jdbc, Upserts upserts) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
		Map<String, Upserts.Merge> position = new LinkedHashMap<>();
		position.put("list_cursor", Upserts.Merge.SET);
		position.put("last_key", Upserts.Merge.SET);
		this.move = upserts.sql("kv_migration", List.of("rule"), position);
	}

	/** Where the listing of a rule's legacy keys stopped, if it ever started. */
	public Optional<Position> of(String rule) {
		return this.client.sql(POSITION).param(rule).query(Position.class).optional();
	}

	/**
	 * Records where a rule's listing stands, in the caller's transaction.
	 * @param listCursor the cursor of the page the last key was listed on ({@code null}
	 * for the first page)
	 * @param lastKey the last key loaded
	 */
	public void move(String rule, @Nullable String listCursor, String lastKey) {
		this.jdbc.update(this.move, rule, listCursor, lastKey);
	}

	/** Where a rule's listing stopped: the page's cursor and the last key loaded. */
	public record Position(@Nullable String listCursor, String lastKey) {
	}

}
