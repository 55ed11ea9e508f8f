package dev.kvbatch.store;

import java.util.List;
import java.util.Map;

import dev.kvbatch.Upserts;

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

	/** Moves a cursor to the larger of where it is and where it is sent. */
	private final String advance;

	public Cursors(JdbcClient jdbc, Upserts upserts) {
		this.jdbc = jdbc;
		this.advance = upserts.sql("kv_cursor", List.of("name"), Map.of("position", Upserts.Merge.MAX));
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
		this.jdbc.sql(this.advance).params(name, position).update();
	}

}
