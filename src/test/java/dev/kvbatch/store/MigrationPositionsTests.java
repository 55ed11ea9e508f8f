package dev.kvbatch.store;

import dev.kvbatch.Upserts;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MigrationPositions}' SQL on a migrated database: H2 here, PostgreSQL in
 * {@link StorePostgresIT}.
 */
class MigrationPositionsTests extends StoreDatabase {

	@Test
	void aRulesPositionStartsEmptyAndMovesToWhereItsListingStands() {
		MigrationPositions positions = new MigrationPositions(this.jdbc, new Upserts(dataSource()));

		assertThat(positions.of("mapping")).isEmpty();
		positions.move("mapping", null, "mapping:a");
		assertThat(positions.of("mapping")).contains(new MigrationPositions.Position(null, "mapping:a"));
		positions.move("mapping", "cursor-2", "mapping:k");
		positions.move("rollup", "cursor-1", "rollup:b");
		positions.move("mapping", null, "mapping:z");

		assertThat(positions.of("mapping")).as("the cursor is set, not kept")
			.contains(new MigrationPositions.Position(null, "mapping:z"));
		assertThat(positions.of("rollup")).contains(new MigrationPositions.Position("cursor-1", "rollup:b"));
		assertThat(count("SELECT COUNT(*) FROM kv_migration")).as("one row per rule").isEqualTo(2);
	}

	@Test
	void aPositionMovedInATransactionThatRollsBackStaysWhereItWas() {
		MigrationPositions positions = new MigrationPositions(this.jdbc, new Upserts(dataSource()));
		positions.move("mapping", "cursor-1", "mapping:a");

		new TransactionTemplate(new DataSourceTransactionManager(dataSource())).executeWithoutResult((status) -> {
			positions.move("mapping", "cursor-2", "mapping:k");
			positions.move("rollup", null, "rollup:b");
			status.setRollbackOnly();
		});

		assertThat(positions.of("mapping")).contains(new MigrationPositions.Position("cursor-1", "mapping:a"));
		assertThat(positions.of("rollup")).isEmpty();
	}

}
