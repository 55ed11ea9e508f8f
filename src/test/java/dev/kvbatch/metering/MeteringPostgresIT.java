package dev.kvbatch.metering;

import java.sql.SQLException;

import dev.kvbatch.TestPostgres;
import org.junit.jupiter.api.Nested;

/**
 * The metering repositories' tests on PostgreSQL: the same test bodies as on H2, each on
 * a fresh database migrated as the application migrates it. Run by
 * {@code ./mvnw -B verify -Ppostgres} against the server that
 * {@code KVBATCH_TEST_POSTGRES_URL} names, never skipped: without it every test fails.
 */
class MeteringPostgresIT {

	@Nested
	class Ledger extends LedgerTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class ReadsSaved extends ReadsSavedTallyTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

	@Nested
	class StagedTally extends StagedTallyTests {

		@Override
		protected String url() throws SQLException {
			return TestPostgres.freshDatabase();
		}

	}

}
