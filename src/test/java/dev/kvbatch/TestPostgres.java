package dev.kvbatch;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL server of the {@code *PostgresIT} tests ({@code ./mvnw -B verify
 * -Ppostgres}): the one {@code KVBATCH_TEST_POSTGRES_URL} names. Without it a test fails,
 * never skips.
 */
public final class TestPostgres {

	private static final String URL = System.getenv("KVBATCH_TEST_POSTGRES_URL");

	private static final AtomicInteger DATABASES = new AtomicInteger();

	private TestPostgres() {
	}

	/** A new, empty database on the server, named for this JVM: its JDBC URL. */
	public static String freshDatabase() throws SQLException {
		assertThat(URL)
			.as("KVBATCH_TEST_POSTGRES_URL: -Ppostgres needs a PostgreSQL server; as root, "
					+ "eval \"$(.ci/postgres start)\" starts one and sets it")
			.isNotBlank();
		String name = "kvbatch_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
		try (Connection connection = DriverManager.getConnection(URL, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS " + name);
			statement.execute("CREATE DATABASE " + name);
		}
		return URL.substring(0, URL.lastIndexOf('/') + 1) + name;
	}

}
