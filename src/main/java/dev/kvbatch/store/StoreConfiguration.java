package dev.kvbatch.store;

import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

	@Bean
	FlywayConfigurationCustomizer springBatchSchemaMigration() {
		return (configuration) -> configuration.javaMigrations(new V2__Spring_batch_schema(), new V8__Quartz_schema());
	}

}
