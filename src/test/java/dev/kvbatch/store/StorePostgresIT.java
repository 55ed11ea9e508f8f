package dev.kvbatch.store;

import java.sql.SQLException;

import dev.kvbatch.TestPostgres;
import org.junit.jupiter.api.Nested;

/**
 * The store's repository tests on PostgreSQL: the same test bodies as on H2, each on a
 * fresh database migrated as the application migrates it. Run by
 * {@code ./mvnw -B verify -Ppostgres} against the server that
 * {@code KVBATCH_TEST_POSTGRES_URL} names, never skipped: without it every test fails.
 */
class StorePostgresIT {

	@Nested
	class Cursors extends CursorsTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class DirtyKeys extends DirtyKeysTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class FreshnessLog extends FreshnessLogTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class LogicalStore extends LogicalStoreTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class MigratedEntries extends MigratedEntriesTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class MigrationPositions extends MigrationPositionsTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class PhysicalViews extends PhysicalViewsSqlTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

}
