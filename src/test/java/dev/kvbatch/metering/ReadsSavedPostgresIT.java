package dev.kvbatch.metering;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ReadsSavedTallyTests} on PostgreSQL: migration V12 and the tally's upsert. Run
 * by {@code ./mvnw -B verify -Ppostgres} against the server that
 * {@code KVBATCH_TEST_POSTGRES_URL} names, never skipped: without it the test fails.
 */
class ReadsSavedPostgresIT {

	private static final String POSTGRES = System.getenv("KVBATCH_TEST_POSTGRES_URL");

	@Test
	void countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWriteOnPostgres() throws Exception {
		assertThat(POSTGRES)
			.as("KVBATCH_TEST_POSTGRES_URL: -Ppostgres needs a PostgreSQL server; as root, "
					+ "eval \"$(.ci/postgres start)\" starts one and sets it")
			.isNotBlank();
		String name = "kvbatch_reads_saved_" + ProcessHandle.current().pid();
		try (Connection admin = DriverManager.getConnection(POSTGRES, "postgres", "");
				Statement statement = admin.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS " + name);
			statement.execute("CREATE DATABASE " + name);
		}
		ReadsSavedTallyTests.countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWrite(new DriverManagerDataSource(
				POSTGRES.substring(0, POSTGRES.lastIndexOf('/') + 1) + name, "postgres", ""));
	}

}
