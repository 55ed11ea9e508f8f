package dev.kvbatch.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Locale;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import org.springframework.batch.infrastructure.support.DatabaseType;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Creates Spring Batch's tables from the script Spring Batch ships for the database in
 * use, once, under Flyway's version control. Spring Batch's
 * {@code initialize-schema=always} would rerun plain {@code CREATE TABLE}s on every
 * start. The script runs with {@code IF NOT EXISTS} added ({@link IdempotentDdl}), so a
 * run that a kill interrupted halfway completes when the migration runs again.
 */
public class V2__Spring_batch_schema extends BaseJavaMigration {

	@Override
	public void migrate(Context context) throws Exception {
		Connection connection = context.getConnection();
		DatabaseType type = DatabaseType.fromMetaData(new SingleConnectionDataSource(connection, true));
		new ResourceDatabasePopulator(new ByteArrayResource(script(type).getBytes(StandardCharsets.UTF_8)))
			.populate(connection);
	}

	/** The script this migration runs on a database. */
	static String script(DatabaseType type) throws IOException {
		String platform = (type == DatabaseType.POSTGRES) ? "postgresql" : type.name().toLowerCase(Locale.ROOT);
		String sql = new ClassPathResource("org/springframework/batch/core/schema-" + platform + ".sql")
			.getContentAsString(StandardCharsets.UTF_8);
		return IdempotentDdl.of(sql, type == DatabaseType.H2);
	}

}
