package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.kvbatch.KvBatchProperties;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * A sub-folder of the configured data folder that a command owns and empties first
 * ({@code demo}, {@code bench}), so it never touches the user's own state and always
 * starts alike.
 */
final class ScratchDataDir {

	private ScratchDataDir() {
	}

	/** Resolves {@code <data-dir>/<name>} from the settings and empties it. */
	static Path prepare(Contexts contexts, String name) throws IOException {
		Path dir;
		try (ConfigurableApplicationContext settings = contexts.staging()) {
			dir = settings.getBean(KvBatchProperties.class).dataDir().resolve(name).toAbsolutePath().normalize();
		}
		if (Files.exists(dir)) {
			try (Stream<Path> paths = Files.walk(dir)) {
				for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
					Files.delete(path);
				}
			}
		}
		return dir;
	}

}
