package dev.kvbatch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.support.DatabaseType;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * kvbatch's migrations on H2, which does not roll DDL back: a migration stopped after any
 * of its statements (as a kill leaves it) runs again to the same schema, and what an
 * earlier kvbatch left (a migration recorded as failed, the checksums of its earlier
 * files) is put right at start-up; what is not kvbatch's is left to Flyway.
 */
class SelfRepairingMigrationsTests {

	private static final AtomicInteger DATABASES = new AtomicInteger();

	private static final String HISTORY = "\"flyway_schema_history\"";

	private final SelfRepairingMigrations strategy = SelfRepairingMigrations
		.of(List.of(new V2__Spring_batch_schema(), new V8__Quartz_schema()));

	private SingleConnectionDataSource database;

	@BeforeEach
	void openDatabase() {
		this.database = freshDatabase();
	}

	@AfterEach
	void closeDatabase() {
		this.database.destroy();
	}

	@Test
	void aMigrationStoppedAfterSomeOfItsStatementsRunsAgainToTheSameSchema() throws Exception {
		Map<String, List<String>> expected = schema(migrated(freshDatabase()));
		MigrationVersion previous = null;
		int interrupted = 0;
		for (Map.Entry<MigrationVersion, List<String>> migration : statements().entrySet()) {
			List<String> statements = migration.getValue();
			// Each statement only creates what is missing, so these stops stand for all:
			// after the first, half-way, and after the last with nothing recorded.
			for (int done : new TreeSet<>(List.of(1, (statements.size() + 1) / 2, statements.size()))) {
				SingleConnectionDataSource database = freshDatabase();
				try {
					if (previous != null) {
						flyway(database).target(previous).load().migrate();
					}
					else {
						// Flyway creates its history table before the first migration.
						flyway(database).locations("classpath:sql/none").javaMigrations().load().migrate();
					}
					try (Statement sql = database.getConnection().createStatement()) {
						for (String statement : statements.subList(0, done)) {
							sql.execute(statement);
						}
					}

					this.strategy.migrate(flyway(database).load());

					assertThat(schema(database))
						.as("V%s stopped after %d of its %d statements", migration.getKey(), done, statements.size())
						.isEqualTo(expected);
					interrupted++;
				}
				finally {
					database.destroy();
				}
			}
			previous = migration.getKey();
		}
		assertThat(interrupted).as("V1, V2, V4 to V13").isEqualTo(26);
	}

	@Test
	void aMigrationRecordedAsFailedIsRepairedAndRunAgain() throws Exception {
		// Flyway stops at the migration that failed.
		flyway(this.database).target("6").load().migrate();
		update("UPDATE " + HISTORY + " SET \"success\" = FALSE WHERE \"version\" = '6'");
		update("DELETE FROM kv_job_lock WHERE lock_name <> 'compress'");
		assertThatExceptionOfType(FlywayValidateException.class).as("what Flyway alone says")
			.isThrownBy(() -> flyway(this.database).load().migrate())
			.withMessageContaining("Detected failed migration to version 6");

		this.strategy.migrate(flyway(this.database).load());

		assertThat(schema(this.database)).isEqualTo(schema(migrated(freshDatabase())));
	}

	@Test
	void checksumsOfTheEarlierMigrationFilesAreRealigned() throws Exception {
		migrated(this.database);
		update("UPDATE " + HISTORY + " SET \"checksum\" = 508266222 WHERE \"version\" = '1'");
		update("UPDATE " + HISTORY + " SET \"checksum\" = 1139497310 WHERE \"version\" = '6'");

		this.strategy.migrate(flyway(this.database).load());

		assertThat(schema(this.database)).isEqualTo(schema(migrated(freshDatabase())));
	}

	@Test
	void anUnknownChecksumIsLeftForFlywayToReport() throws Exception {
		migrated(this.database);
		update("UPDATE " + HISTORY + " SET \"checksum\" = 12345 WHERE \"version\" = '1'");

		assertThatExceptionOfType(FlywayValidateException.class)
			.isThrownBy(() -> this.strategy.migrate(flyway(this.database).load()))
			.withMessageContaining("checksum mismatch");
	}

	@Test
	void aFailedMigrationThatIsNotKvbatchsIsNotRepaired() throws Exception {
		FluentConfiguration withMine = flyway(this.database).locations("classpath:sql/common", "classpath:sql/h2",
				"classpath:mine");
		withMine.load().migrate();
		update("UPDATE " + HISTORY + " SET \"success\" = FALSE WHERE \"version\" = '100'");

		assertThatExceptionOfType(FlywayValidateException.class)
			.isThrownBy(() -> this.strategy.migrate(withMine.load()))
			.withMessageContaining("Detected failed migration to version 100");
		assertThat(rows("SELECT \"success\" FROM " + HISTORY + " WHERE \"version\" = '100'")).containsExactly("FALSE");
	}

	/**
	 * The statements of each kvbatch migration on H2, in order, as Flyway runs them.
	 */
	private static Map<MigrationVersion, List<String>> statements() throws IOException {
		Map<MigrationVersion, String> scripts = new TreeMap<>();
		var resolver = new PathMatchingResourcePatternResolver();
		List<Resource> files = new ArrayList<>(List.of(resolver.getResources("classpath:sql/common/V*__*.sql")));
		files.addAll(List.of(resolver.getResources("classpath:sql/h2/V*__*.sql")));
		for (var file : files) {
			String name = file.getFilename();
			scripts.put(MigrationVersion.fromVersion(name.substring(1, name.indexOf("__"))),
					file.getContentAsString(StandardCharsets.UTF_8));
		}
		scripts.put(MigrationVersion.fromVersion("2"), V2__Spring_batch_schema.script(DatabaseType.H2));
		scripts.put(MigrationVersion.fromVersion("8"), V8__Quartz_schema.script(DatabaseType.H2));
		Map<MigrationVersion, List<String>> statements = new LinkedHashMap<>();
		// None of the scripts has a ';' in a literal or a comment after code.
		scripts.forEach((version, script) -> statements.put(version,
				Arrays.stream(script.replaceAll("(?m)^\\s*--.*$", "").split(";"))
					.map(String::strip)
					.filter((statement) -> !statement.isEmpty())
					.toList()));
		return statements;
	}

	/** Tables, columns, constraints, indexes, the lock rows and the history's outcome. */
	private static Map<String, List<String>> schema(SingleConnectionDataSource database) throws SQLException {
		Map<String, List<String>> schema = new LinkedHashMap<>();
		schema.put("columns", rows(database, """
				SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS
				WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY TABLE_NAME, COLUMN_NAME
				"""));
		schema.put("constraints", rows(database, """
				SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS
				WHERE TABLE_SCHEMA = 'PUBLIC' AND CONSTRAINT_NAME NOT LIKE 'CONSTRAINT_%'
				ORDER BY TABLE_NAME, CONSTRAINT_NAME
				"""));
		schema.put("indexes", rows(database, """
				SELECT TABLE_NAME, INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES
				WHERE TABLE_SCHEMA = 'PUBLIC' AND INDEX_NAME NOT LIKE 'PRIMARY_KEY_%'
				AND INDEX_NAME NOT LIKE 'CONSTRAINT_INDEX_%' ORDER BY TABLE_NAME, INDEX_NAME
				"""));
		schema.put("sequences", rows(database,
				"SELECT SEQUENCE_NAME FROM INFORMATION_SCHEMA.SEQUENCES WHERE SEQUENCE_SCHEMA = 'PUBLIC' ORDER BY 1"));
		schema.put("locks", rows(database, "SELECT lock_name FROM kv_job_lock ORDER BY lock_name"));
		schema.put("history", rows(database, "SELECT \"version\", \"script\", \"checksum\", \"success\" FROM " + HISTORY
				+ " WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\""));
		return schema;
	}

	private static SingleConnectionDataSource migrated(SingleConnectionDataSource database) {
		Flyway flyway = flyway(database).load();
		flyway.migrate();
		assertThat(flyway.info().all()).extracting(MigrationInfo::getState)
			.allSatisfy((state) -> assertThat(state.isApplied()).isTrue());
		return database;
	}

	/** kvbatch's Flyway set-up on H2, as Boot makes it from application.properties. */
	private static FluentConfiguration flyway(SingleConnectionDataSource database) {
		return Flyway.configure()
			.dataSource(database)
			.locations("classpath:sql/common", "classpath:sql/h2")
			.baselineOnMigrate(true)
			.javaMigrations(new V2__Spring_batch_schema(), new V8__Quartz_schema());
	}

	private static SingleConnectionDataSource freshDatabase() {
		try {
			Connection connection = DriverManager.getConnection("jdbc:h2:mem:migrations-" + DATABASES.incrementAndGet(),
					"sa", "");
			return new SingleConnectionDataSource(connection, true);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void update(String sql) throws SQLException {
		try (Statement statement = this.database.getConnection().createStatement()) {
			statement.executeUpdate(sql);
		}
	}

	private List<String> rows(String sql) throws SQLException {
		return rows(this.database, sql);
	}

	private static List<String> rows(SingleConnectionDataSource database, String sql) throws SQLException {
		try (Statement statement = database.getConnection().createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			List<String> rows = new ArrayList<>();
			int columns = rs.getMetaData().getColumnCount();
			while (rs.next()) {
				StringBuilder row = new StringBuilder();
				for (int column = 1; column <= columns; column++) {
					row.append((column > 1) ? " | " : "").append(rs.getString(column));
				}
				rows.add(row.toString());
			}
			return rows;
		}
	}

}
