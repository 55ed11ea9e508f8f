package dev.kvbatch;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points the default H2 URL at the data folder. H2 refuses paths that are implicitly
 * relative ({@code data/x}), so the folder is made absolute here rather than left to a
 * placeholder. A {@code spring.datasource.url} the user sets (PostgreSQL, say) wins.
 */
public class DataDirEnvironmentPostProcessor implements EnvironmentPostProcessor {

	/**
	 * The database closes with the context, not in a JVM shutdown hook of its own.
	 * <p>
	 * H2 never overwrites in place, so a run that ingests a million rows grows the file
	 * by hundreds of MiB. Pages are compressed (LZF), which keeps the outbox's JSON about
	 * a third of its size while the run has the file open. As the database closes, H2
	 * moves the live data down and truncates the file, for at most
	 * {@code MAX_COMPACT_TIME} ms: its default, 200 ms, leaves the file of a 10M-row run
	 * as it was, while about 3 s brings it back near its compacted size; a run with
	 * little to give back takes no longer to close than before.
	 */
	static final String H2_OPTIONS = ";DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=10000;COMPRESS=TRUE";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.containsProperty("spring.datasource.url")) {
			return;
		}
		Path dataDir = Path.of(environment.getProperty("kvbatch.data-dir", "./data")).toAbsolutePath().normalize();
		String url = "jdbc:h2:file:" + dataDir.resolve("kvbatch") + H2_OPTIONS;
		environment.getPropertySources()
			.addLast(new MapPropertySource("kvbatchDataDir", Map.of("spring.datasource.url", url)));
	}

}
