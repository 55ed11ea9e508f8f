package dev.kvbatch.store;

import java.sql.Connection;
import java.util.Locale;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import org.springframework.batch.infrastructure.support.DatabaseType;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Creates Spring Batch's tables from the script Spring Batch ships for the database in
 * use, once, under Flyway's version control. Spring Batch's
 * {@code initialize-schema=always} would rerun plain {@code CREATE TABLE}s on every
 * start.
 */
public class V2__Spring_batch_schema extends BaseJavaMigration {

	@Override
	public void migrate(Context context) throws Exception {
		Connection connection = context.getConnection();
		SingleConnectionDataSource dataSource = new SingleConnectionDataSource(connection, true);
		DatabaseType type = DatabaseType.fromMetaData(dataSource);
		String platform = (type == DatabaseType.POSTGRES) ? "postgresql" : type.name().toLowerCase(Locale.ROOT);
		new ResourceDatabasePopulator(
				new ClassPathResource("org/springframework/batch/core/schema-" + platform + ".sql"))
			.populate(connection);
	}

}
