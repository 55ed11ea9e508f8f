package dev.kvbatch.cli;

import java.nio.file.Path;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.SharedDatabase;
import dev.kvbatch.Target;
import dev.kvbatch.RulesConfiguration;
import dev.kvbatch.kv.cloudflare.CloudflareProperties;

import org.springframework.context.ApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Where a run worked, for its summary: the target, the data folder, the rules file and,
 * when it is not the data folder's H2 file, the database. A mistyped or missing setting
 * shows here at a glance.
 */
final class RunSettings {

	private RunSettings() {
	}

	static String describe(ApplicationContext context) {
		KvBatchProperties properties = context.getBean(KvBatchProperties.class);
		Path data = properties.dataDir().toAbsolutePath().normalize();
		String target = "local (the embedded store)";
		if (properties.target() == Target.CLOUDFLARE) {
			CloudflareProperties cloudflare = context.getBean(CloudflareProperties.class);
			target = "cloudflare (namespace %s of account %s)".formatted(cloudflare.namespaceId(),
					cloudflare.accountId());
		}
		String rules = RulesConfiguration.rulesFile(properties)
			.map(Path::toString)
			.orElse("bundled (no packing.yaml in " + properties.jobsDir().toAbsolutePath().normalize() + ")");
		String url = context.getEnvironment().getProperty("spring.datasource.url", "");
		String database = url.startsWith("jdbc:h2:file:" + data.resolve("kvbatch")) ? ""
				: ", database " + url.replaceAll("[;?].*", "").replaceAll("//[^/@]*@", "//");
		if (context.getEnvironment() instanceof ConfigurableEnvironment environment
				&& SharedDatabase.isServed(environment)) {
			// Its URL names the database by serve's secret name.
			database = ", database through kvbatch serve";
		}
		return "target %s, data %s, rules %s%s".formatted(target, data, rules, database);
	}

}
