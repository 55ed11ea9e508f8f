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
	 * by hundreds of MiB. Pages are compressed (LZF), which keeps the file, open or
	 * closed, at about a third of that. (A longer {@code MAX_COMPACT_TIME} than H2's 200
	 * ms got more back at close, but some closes then spent all of it without progress.)
	 * <p>
	 * H2's write delay stays: commits that something outside the database depends on are
	 * forced to disk by {@link DurableCommits}, whatever the URL (also one the user sets)
	 * says, and {@code WRITE_DELAY=0} would stop the background thread that compacts the
	 * file during a run.
	 */
	static final String H2_OPTIONS = ";DB_CLOSE_ON_EXIT=FALSE;COMPRESS=TRUE";

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
