package dev.kvbatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SettingsCheckTests {

	@TempDir
	Path tmp;

	@Test
	void knowsEverySettingOfThePropertiesRecords() {
		assertThat(KnownSettings.ofApplication().names()).contains("kvbatch.data-dir", "kvbatch.jobs-dir",
				"kvbatch.target", "kvbatch.seq-start-after", "kvbatch.plan", "kvbatch.report.mail.to",
				"kvbatch.report.mail.from", "kvbatch.cloudflare.api-token", "kvbatch.cloudflare.max-retry-after",
				"kvbatch.budget.headroom", "kvbatch.budget.writes-per-day", "kvbatch.compress.window-size",
				"kvbatch.retention.dead-letters", "kvbatch.retention.batch-size");
	}

	@Test
	void theBuildsMetadataHasEverySettingOfTheRecords() {
		assertThat(KnownSettings.ofApplication().names()).isNotEmpty()
			.containsExactlyElementsOf(KnownSettings.ofScan().names());
	}

	@Test
	void refusesUnknownVariablesButNotKnownOnesNorTheLaunchers() {
		Map<String, Object> variables = new LinkedHashMap<>();
		variables.put("KVBATCH_TARGT", "cloudflare");
		variables.put("KVBATCH_DATA_DIR", "/data");
		variables.put("KVBATCH_CLOUDFLARE_NAMESPACE_ID", "ns");
		variables.put("KVBATCH_CLOUDFLARE_APITOKEN", "t");
		variables.put("KVBATCH_BUDGET_WRITES_PER_DAY", "500");
		variables.put("KVBATCH_REPORT_MAIL_TO", "ops@example.com");
		variables.put("KVBATCH_REPORT_MAIL_TO_0", "ops@example.com");
		variables.put("KVBATCH_CDS", "off");
		variables.put("KVBATCH_JAVA_OPTS", "-Xmx1g");
		variables.put("KVBATCH_JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64");
		variables.put("KVBATCH_TEST_POSTGRES_URL", "jdbc:postgresql://localhost/x");
		variables.put("CLOUDFLARE_API_TOKEN", "t");

		assertThat(SettingsCheck.unknownSettings(
				environment(new SystemEnvironmentPropertySource("systemEnvironment", variables)),
				KnownSettings.ofApplication()))
			.containsExactly("environment variable KVBATCH_TARGT (did you mean KVBATCH_TARGET?)");
	}

	@Test
	void acceptsRelaxedNamesAndSuggestsTheClosestForTypos() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("kvbatch.dataDir", "/data");
		properties.put("kvbatch.compress.chunk_size", "10");
		properties.put("kvbatch.report.mail.to[0]", "ops@example.com");
		properties.put("kvbatch.retention.outbx", "2d");
		properties.put("kvbatch.frobnicate", "yes");
		properties.put("kvbatch.boot-jar", "/x/kvbatch.jar");

		assertThat(SettingsCheck.unknownSettings(environment(new MapPropertySource("my.properties", properties)),
				KnownSettings.ofApplication()))
			.containsExactly("kvbatch.retention.outbx (in my.properties) (did you mean kvbatch.retention.outbox?)",
					"kvbatch.frobnicate (in my.properties)");
	}

	@Test
	void refusesADataFolderInsideAFile() throws Exception {
		Path file = Files.writeString(this.tmp.resolve("f"), "x");

		assertThatExceptionOfType(ConfigurationException.class)
			.isThrownBy(() -> SettingsCheck.checkDataDir(file.resolve("data")))
			.withMessage("cannot create the data folder " + file.resolve("data")
					+ " (kvbatch.data-dir, KVBATCH_DATA_DIR): " + file + " is a file");
	}

	@Test
	void theDefaultJobsFolderMayBeMissingButOneThatWasSetMayNot() {
		SettingsCheck.checkJobsDir("./jobs");
		assertThatExceptionOfType(ConfigurationException.class)
			.isThrownBy(() -> SettingsCheck.checkJobsDir(this.tmp.resolve("nope").toString()))
			.withMessageContaining("does not exist");
	}

	private static StandardEnvironment environment(org.springframework.core.env.PropertySource<?> source) {
		return new StandardEnvironment() {

			@Override
			protected void customizePropertySources(MutablePropertySources sources) {
				sources.addLast(source);
			}

		};
	}

}
