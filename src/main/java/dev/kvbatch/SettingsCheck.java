package dev.kvbatch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.env.CommandLinePropertySource;

/**
 * Refuses settings kvbatch cannot work with before anything opens the database or sends a
 * request, each problem on one line (exit 2):
 * <ul>
 * <li>a {@code kvbatch.*} setting no properties record binds (usually a typo: the run
 * would silently use the default), with the closest known name;</li>
 * <li>a data folder that is a file, cannot be created or is not writable;</li>
 * <li>a jobs folder that was set but does not exist (the bundled rules would apply
 * instead of the operator's).</li>
 * </ul>
 * Registers the secrets among the settings with {@link SecretScrubber}, in every context.
 * Runs for contexts whose sources are marked {@link CheckedSettings}; after Boot has read
 * every settings file.
 */
public class SettingsCheck implements EnvironmentPostProcessor, Ordered {

	/** Environment variables of the launcher and the build, not settings. */
	private static final Set<String> OTHER_VARIABLES = Set.of("KVBATCH_CDS", "KVBATCH_JAVA_OPTS", "KVBATCH_JAVA_HOME");

	/** The prefix of environment variables the tests read. */
	private static final String TEST_VARIABLES = "KVBATCH_TEST_";

	/** System properties the launcher and the build pass, not settings. */
	private static final Set<String> OTHER_PROPERTIES = Set.of("kvbatch.boot-jar", "kvbatch.jar");

	private static final String DEFAULT_JOBS_DIR = "./jobs";

	private static final List<String> SECRETS = List.of("kvbatch.cloudflare.api-token", "CLOUDFLARE_API_TOKEN",
			"spring.mail.password", "spring.datasource.password", "kvbatch.api.token", "kvbatch.api.write-tokens",
			"kvbatch.api.read-tokens");

	@Override
	public int getOrder() {
		// After Boot's config data (application.properties, ./config), before the data
		// folder's URL is set.
		return Ordered.LOWEST_PRECEDENCE - 10;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		for (String secret : SECRETS) {
			String value = environment.getProperty(secret);
			SecretScrubber.register(value);
			if (value != null && value.contains(",")) {
				// A list of tokens: each one on its own.
				for (String token : value.split(",")) {
					SecretScrubber.register(token);
				}
			}
		}
		boolean checked = application.getAllSources()
			.stream()
			.anyMatch((source) -> source instanceof Class<?> type
					&& AnnotatedElementUtils.hasAnnotation(type, CheckedSettings.class));
		if (!checked) {
			return;
		}
		List<String> unknown = unknownSettings(environment, KnownSettings.ofApplication());
		if (!unknown.isEmpty()) {
			throw new ConfigurationException(
					((unknown.size() == 1) ? "unknown setting " : "unknown settings: ") + String.join(", ", unknown));
		}
		checkDataDir(Path.of(environment.getProperty("kvbatch.data-dir", "./data")));
		checkJobsDir(environment.getProperty("kvbatch.jobs-dir", DEFAULT_JOBS_DIR));
	}

	/**
	 * Every {@code kvbatch.*} name in the environment that is not a setting, as the user
	 * wrote it, with the closest setting.
	 */
	static List<String> unknownSettings(ConfigurableEnvironment environment, KnownSettings known) {
		Set<String> unknown = new LinkedHashSet<>();
		for (PropertySource<?> source : environment.getPropertySources()) {
			if (!(source instanceof EnumerablePropertySource<?> enumerable)
					|| ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
				continue;
			}
			boolean variables = source instanceof SystemEnvironmentPropertySource;
			for (String name : enumerable.getPropertyNames()) {
				if (variables) {
					if (name.regionMatches(true, 0, KnownSettings.PREFIX + "_", 0, KnownSettings.PREFIX.length() + 1)
							&& !OTHER_VARIABLES.contains(name) && !name.startsWith(TEST_VARIABLES)
							&& !known.isKnownVariable(name)) {
						unknown.add("environment variable " + name
								+ known.closestVariable(name)
									.map((closest) -> " (did you mean " + closest + "?)")
									.orElse(""));
					}
				}
				else if (name.regionMatches(true, 0, KnownSettings.PREFIX + ".", 0, KnownSettings.PREFIX.length() + 1)
						&& !OTHER_PROPERTIES.contains(name) && !known.isKnown(name)) {
					String shown = (source instanceof CommandLinePropertySource) ? "--" + name : name;
					String where = (source instanceof CommandLinePropertySource) ? ""
							: " (in " + source.getName() + ")";
					String hint = known.closest(name)
						.map((closest) -> " (did you mean "
								+ ((source instanceof CommandLinePropertySource) ? "--" : "") + closest + "?)")
						.orElse("");
					unknown.add(shown + where + hint);
				}
			}
		}
		return new ArrayList<>(unknown);
	}

	/**
	 * @throws ConfigurationException if the data folder is a file, cannot be created or
	 * is not writable
	 */
	static void checkDataDir(Path dir) {
		Path folder = dir.toAbsolutePath().normalize();
		String setting = "the data folder " + folder + " (kvbatch.data-dir, KVBATCH_DATA_DIR)";
		if (Files.exists(folder) && !Files.isDirectory(folder)) {
			throw new ConfigurationException(setting + " is a file: point the setting at a folder, which will hold"
					+ " the H2 database, the spool and the reports");
		}
		for (Path parent = folder.getParent(); parent != null; parent = parent.getParent()) {
			if (Files.exists(parent)) {
				if (!Files.isDirectory(parent)) {
					throw new ConfigurationException("cannot create " + setting + ": " + parent + " is a file");
				}
				break;
			}
		}
		try {
			Files.createDirectories(folder);
		}
		catch (IOException ex) {
			throw new ConfigurationException("cannot create " + setting + ": " + reason(ex));
		}
		if (!Files.isWritable(folder)) {
			throw new ConfigurationException(setting + " is not writable for user " + System.getProperty("user.name")
					+ ": change its owner or permissions, or point the setting elsewhere");
		}
	}

	/**
	 * @throws ConfigurationException if a jobs folder other than the default was set and
	 * is missing or a file
	 */
	static void checkJobsDir(String value) {
		Path folder = Path.of(value).toAbsolutePath().normalize();
		boolean isDefault = folder.equals(Path.of(DEFAULT_JOBS_DIR).toAbsolutePath().normalize());
		String setting = "the jobs folder " + folder + " (kvbatch.jobs-dir, KVBATCH_JOBS_DIR)";
		if (Files.isRegularFile(folder)) {
			throw new ConfigurationException(setting + " is a file: point the setting at the folder that holds"
					+ " packing.yaml and schedules.yaml");
		}
		if (!isDefault && !Files.exists(folder)) {
			throw new ConfigurationException(setting + " does not exist: create it with your packing.yaml, or leave"
					+ " the setting out to use the rules bundled in kvbatch");
		}
	}

	private static String reason(IOException ex) {
		if (ex instanceof AccessDeniedException denied) {
			return "permission denied at " + denied.getFile();
		}
		if (ex instanceof FileAlreadyExistsException exists) {
			return exists.getFile() + " is a file";
		}
		if (ex instanceof NoSuchFileException missing) {
			return "the file system refused to create " + missing.getFile();
		}
		if (ex instanceof FileSystemException system && system.getReason() != null) {
			return system.getReason().toLowerCase(java.util.Locale.ROOT) + " at " + system.getFile();
		}
		return String.valueOf(ex.getMessage());
	}

}
