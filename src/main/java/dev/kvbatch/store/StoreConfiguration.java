package dev.kvbatch.store;

import java.util.List;

import org.flywaydb.core.api.migration.JavaMigration;

import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

	/** Spring Batch's and Quartz's tables, from the scripts they ship. */
	private static final List<JavaMigration> JAVA_MIGRATIONS = List.of(new V2__Spring_batch_schema(),
			new V8__Quartz_schema());

	@Bean
	FlywayConfigurationCustomizer springBatchSchemaMigration() {
		return (configuration) -> configuration.javaMigrations(JAVA_MIGRATIONS.toArray(JavaMigration[]::new));
	}

	@Bean
	FlywayMigrationStrategy selfRepairingMigrations() {
		return SelfRepairingMigrations.of(JAVA_MIGRATIONS);
	}

}
