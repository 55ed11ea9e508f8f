package dev.kvbatch;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The upsert helper on PostgreSQL, as {@link UpsertsTests} runs it on H2. Run by
 * {@code ./mvnw -B verify -Ppostgres} against the server that
 * {@code KVBATCH_TEST_POSTGRES_URL} names, never skipped: without it the test fails.
 */
class UpsertsPostgresIT {

	@Test
	void insertsThenMergesEachColumnAsToldOnPostgres() throws SQLException {
		UpsertsTests.insertsThenMerges(new DriverManagerDataSource(TestPostgres.freshDatabase(), "postgres", ""));
	}

}
