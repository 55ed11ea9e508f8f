package dev.kvbatch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.kvbatch.pack.PackException;
import dev.kvbatch.pack.Packer;
import dev.kvbatch.pack.PackingRules;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/**
 * The packing rules: {@code <jobs-dir>/packing.yaml} when an operator provides one, else
 * the rules bundled in the jar (the same file as the repository's
 * {@code jobs/packing.yaml}).
 */
@Configuration(proxyBeanMethods = false)
public class RulesConfiguration {

	static final String RULES_FILE = "packing.yaml";

	/**
	 * The operator's rules file, or empty when the rules bundled in the jar apply (the
	 * jobs folder holds no {@code packing.yaml}).
	 */
	public static Optional<Path> rulesFile(KvBatchProperties properties) {
		Path file = properties.jobsDir().resolve(RULES_FILE).toAbsolutePath().normalize();
		return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
	}

	@Bean
	PackingRules packingRules(KvBatchProperties properties) throws IOException {
		Path file = properties.jobsDir().resolve(RULES_FILE);
		try {
			if (Files.isRegularFile(file)) {
				return PackingRules.parse(Files.readString(file, StandardCharsets.UTF_8));
			}
			try (InputStream bundled = new ClassPathResource("jobs/" + RULES_FILE).getInputStream()) {
				return PackingRules.parse(new String(bundled.readAllBytes(), StandardCharsets.UTF_8));
			}
		}
		catch (PackException ex) {
			throw new ConfigurationException(file + ": " + ex.getMessage(), ex);
		}
	}

	@Bean
	Packer packer(JsonMapper mapper) {
		return new Packer(mapper);
	}

}
