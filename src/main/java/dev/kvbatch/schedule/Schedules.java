package dev.kvbatch.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.kvbatch.ConfigurationException;
import org.quartz.CronExpression;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.core.io.ClassPathResource;

/**
 * The schedules of {@code <jobs-dir>/schedules.yaml} (or the copy bundled in the jar):
 * job name to Quartz cron expression, in UTC. Immutable.
 *
 * @param crons cron expression by job name
 */
public record Schedules(Map<String, String> crons) {

	static final String FILE = "schedules.yaml";

	public Schedules {
		crons = Map.copyOf(crons);
	}

	/**
	 * Reads and checks the schedules.
	 * @throws ConfigurationException naming the file and the bad entry
	 */
	public static Schedules read(Path jobsDir, Set<String> jobs) {
		Path file = jobsDir.resolve(FILE);
		Map<String, String> crons;
		try {
			if (Files.isRegularFile(file)) {
				crons = parse(Files.readString(file, StandardCharsets.UTF_8));
			}
			else {
				try (InputStream bundled = new ClassPathResource("jobs/" + FILE).getInputStream()) {
					crons = parse(new String(bundled.readAllBytes(), StandardCharsets.UTF_8));
				}
			}
		}
		catch (IOException | JacksonException ex) {
			throw new ConfigurationException(file + ": " + ex.getMessage(), ex);
		}
		for (Map.Entry<String, String> entry : crons.entrySet()) {
			if (!jobs.contains(entry.getKey())) {
				throw new ConfigurationException(file + ": no job \"" + entry.getKey() + "\"");
			}
			if (entry.getValue() == null || !CronExpression.isValidExpression(entry.getValue())) {
				throw new ConfigurationException(
						file + ": " + entry.getKey() + ": not a Quartz cron expression: " + entry.getValue());
			}
		}
		return new Schedules(crons);
	}

	private static Map<String, String> parse(String yaml) {
		Map<String, String> crons = YAMLMapper.builder().build().readValue(yaml, new TypeReference<>() {
		});
		return (crons != null) ? new TreeMap<>(crons) : Map.of();
	}

}
