package dev.kvbatch;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points the default H2 URL at the data folder. H2 refuses paths that are implicitly
 * relative ({@code data/x}), so the folder is made absolute here rather than left to a
 * placeholder. A {@code spring.datasource.url} the user sets (PostgreSQL, say) wins.
 * <p>
 * While {@code kvbatch serve} runs on the data folder, the other commands connect to the
 * database through it instead ({@link SharedDatabase}). Serve itself (the contexts with a
 * web server) always opens the file.
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

	/** The settings this sets when the context opens the data folder's file itself. */
	static final String PROPERTY_SOURCE = "kvbatchDataDir";

	/** The settings this sets when the context goes through a running serve. */
	static final String SERVED_PROPERTY_SOURCE = "kvbatchServedDatabase";

	private static final String URL = "spring.datasource.url";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.containsProperty(URL)) {
			return;
		}
		Path dataDir = dataDir(environment);
		boolean serve = "servlet".equalsIgnoreCase(environment.getProperty("spring.main.web-application-type"));
		Optional<String> served = serve ? Optional.empty() : SharedDatabase.servedUrl(dataDir);
		if (served.isPresent()) {
			environment.getPropertySources()
				.addLast(new MapPropertySource(SERVED_PROPERTY_SOURCE, Map.of(URL, served.get())));
			return;
		}
		if (serve && System.getProperty("h2.bindAddress") == null) {
			// Before H2 reads it: the server serve starts for the other commands
			// listens on loopback only (see SharedDatabase).
			System.setProperty("h2.bindAddress", SharedDatabase.LOOPBACK);
		}
		String url = "jdbc:h2:file:" + database(dataDir) + H2_OPTIONS;
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, Map.of(URL, url)));
	}

	/** The data folder, absolute. */
	static Path dataDir(Environment environment) {
		return Path.of(environment.getProperty("kvbatch.data-dir", "./data")).toAbsolutePath().normalize();
	}

	/** The data folder's default database, as H2 names it (no extension). */
	static Path database(Path dataDir) {
		return dataDir.resolve("kvbatch");
	}

}
