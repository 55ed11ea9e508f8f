package dev.kvbatch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.regex.Pattern;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import org.springframework.batch.infrastructure.support.DatabaseType;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Creates Quartz's job store tables (for {@code kvbatch serve}) from the script Quartz
 * ships for the database in use, once, under Flyway's version control. Boot's
 * {@code spring.quartz.jdbc.initialize-schema=always} would drop them, and every trigger,
 * on each start. The scripts' own {@code DROP}s and {@code COMMIT} are left out: Flyway
 * runs a migration in its transaction, on a database without these tables, or with those
 * a run that a kill interrupted had created: the script runs with {@code IF NOT EXISTS}
 * added ({@link IdempotentDdl}), so the migration runs again to its end.
 */
public class V8__Quartz_schema extends BaseJavaMigration {

	private static final Pattern SKIPPED = Pattern.compile("(?im)^\\s*(DROP|COMMIT)\\b[^;]*;");

	@Override
	public void migrate(Context context) throws Exception {
		Connection connection = context.getConnection();
		DatabaseType type = DatabaseType.fromMetaData(new SingleConnectionDataSource(connection, true));
		new ResourceDatabasePopulator(new ByteArrayResource(script(type).getBytes(StandardCharsets.UTF_8)))
			.populate(connection);
	}

	/** The script this migration runs on a database. */
	static String script(DatabaseType type) throws IOException {
		String file = (type == DatabaseType.POSTGRES) ? "tables_postgres.sql" : "tables_h2.sql";
		String sql = new ClassPathResource("org/quartz/impl/jdbcjobstore/" + file)
			.getContentAsString(StandardCharsets.UTF_8);
		return IdempotentDdl.of(SKIPPED.matcher(sql).replaceAll(""), type != DatabaseType.POSTGRES);
	}

}
