package dev.kvbatch.store;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Consumed-up-to positions ({@code kv_cursor}). Moving a cursor in the same transaction
 * as the work it accounts for replaces a status update per row: a chunk that rolls back
 * leaves the cursor where it was.
 */
@Component
public class Cursors {

	/** The outbox rows the compress job has applied to the logical store. */
	public static final String OUTBOX = "outbox";

	private final JdbcClient jdbc;

	public Cursors(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** The position of a cursor, 0 when it never moved. */
	public long position(String name) {
		return this.jdbc.sql("SELECT position FROM kv_cursor WHERE name = ?")
			.param(name)
			.query(Long.class)
			.optional()
			.orElse(0L);
	}

	/** Moves a cursor forward (never back), in the caller's transaction. */
	public void advance(String name, long position) {
		int updated = this.jdbc.sql("UPDATE kv_cursor SET position = ? WHERE name = ? AND position < ?")
			.params(position, name, position)
			.update();
		if (updated == 0 && position(name) == 0) {
			this.jdbc.sql("INSERT INTO kv_cursor (name, position) VALUES (?, ?)").params(name, position).update();
		}
	}

}
