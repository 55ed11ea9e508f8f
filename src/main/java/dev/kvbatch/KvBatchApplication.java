package dev.kvbatch;

import java.time.Clock;

import dev.kvbatch.cli.Cli;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * kvbatch: stages logical KV operations and packs them into few physical Cloudflare
 * Workers KV writes on a schedule. The command line parses first and boots the Spring
 * context each command needs; the process exits with the command's exit code (contract: 0
 * done, 1 restartable failure, 2 usage or configuration, 3 locked).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@CheckedSettings
public class KvBatchApplication {

	public static void main(String[] args) {
		System.exit(new Cli().run(args));
	}

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	@ConfigurationPropertiesBinding
	static Target.SettingConverter targetSetting() {
		return new Target.SettingConverter();
	}

}
