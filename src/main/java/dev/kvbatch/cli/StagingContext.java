package dev.kvbatch.cli;

import java.time.Clock;

import dev.kvbatch.CheckedSettings;
import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.RulesConfiguration;
import dev.kvbatch.Target;
import dev.kvbatch.stage.StageConfiguration;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The context of {@code kvbatch stage}: settings, packing rules and staging, and no
 * database, so staging works while a job holds the H2 file. Deliberately not a
 * {@code @Configuration}: the application's component scan must not pick it up.
 */
@EnableConfigurationProperties(KvBatchProperties.class)
@CheckedSettings
@Import({ RulesConfiguration.class, StageConfiguration.class })
class StagingContext {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	@ConfigurationPropertiesBinding
	static Target.SettingConverter targetSetting() {
		return new Target.SettingConverter();
	}

	@Bean
	JsonMapper jsonMapper() {
		return JsonMapper.builder().build();
	}

}
