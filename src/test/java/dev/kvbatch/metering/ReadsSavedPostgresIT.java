package dev.kvbatch.metering;

import dev.kvbatch.TestPostgres;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * {@link ReadsSavedTallyTests} on PostgreSQL: migration V12 and the tally's upsert. Run
 * by {@code ./mvnw -B verify -Ppostgres} against the server that
 * {@code KVBATCH_TEST_POSTGRES_URL} names, never skipped: without it the test fails.
 */
class ReadsSavedPostgresIT {

	@Test
	void countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWriteOnPostgres() throws Exception {
		ReadsSavedTallyTests.countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWrite(
				new DriverManagerDataSource(TestPostgres.freshDatabase(), "postgres", ""));
	}

}
