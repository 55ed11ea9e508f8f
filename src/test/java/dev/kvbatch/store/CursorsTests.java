package dev.kvbatch.store;

import dev.kvbatch.Upserts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Cursors}' SQL on a migrated database: H2 here, PostgreSQL in
 * {@link StorePostgresIT}.
 */
class CursorsTests extends StoreDatabase {

	@Test
	void aCursorStartsAtZeroAndOnlyMovesForward() {
		Cursors cursors = new Cursors(this.client, new Upserts(dataSource()));

		assertThat(cursors.position(Cursors.OUTBOX)).isZero();
		cursors.advance(Cursors.OUTBOX, 7);
		cursors.advance(Cursors.OUTBOX, 9);
		cursors.advance(Cursors.OUTBOX, 3);
		cursors.advance("other", 2);

		assertThat(cursors.position(Cursors.OUTBOX)).isEqualTo(9);
		assertThat(cursors.position("other")).isEqualTo(2);
		assertThat(count("SELECT COUNT(*) FROM kv_cursor")).as("one row per cursor").isEqualTo(2);
	}

}
