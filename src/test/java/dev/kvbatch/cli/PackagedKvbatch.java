package dev.kvbatch.cli;

import dev.kvbatch.bench.CdsArchive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kvbatch as users run it: the packaged {@code target/kvbatch.jar} (hence failsafe, after
 * {@code package}), extracted and started from its AppCDS archive as {@code ./kvbatch}
 * and the Docker image do, one JVM per command, configured through the environment only.
 */
final class PackagedKvbatch {

	private final CdsArchive archive;

	private final Path work;

	private PackagedKvbatch(CdsArchive archive, Path work) {
		this.archive = archive;
		this.work = work;
	}

	/** Extracts the packaged jar into {@code dir} and trains its start-up archive. */
	static PackagedKvbatch prepare(Path dir) throws IOException, InterruptedException {
		Path jar = Path.of(System.getProperty("kvbatch.jar", "target/kvbatch.jar"));
		assertThat(jar).as("the packaged jar (run by failsafe, after package)").isRegularFile();
		Files.createDirectories(dir);
		return new PackagedKvbatch(CdsArchive.prepare(CdsArchive.currentJava(), jar, dir.resolve("cds")), dir);
	}

	/**
	 * Runs one command.
	 * @param environment the settings, in their environment form; nothing else of this
	 * JVM's {@code KVBATCH_*}, {@code CLOUDFLARE_*} or {@code SPRING_*} is passed on
	 * @param args the command line
	 * @return its exit code, stdout and stderr
	 */
	CliRun.Result run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(this.archive.command());
		command.addAll(List.of(args));
		Path out = Files.createTempFile(this.work, "out", ".txt");
		Path err = Files.createTempFile(this.work, "err", ".txt");
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.work.toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile());
		builder.environment()
			.keySet()
			.removeIf((name) -> name.startsWith("KVBATCH_") || name.startsWith("CLOUDFLARE_")
					|| name.startsWith("SPRING_"));
		builder.environment().putAll(environment);
		Process process = builder.start();
		if (!process.waitFor(15, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IllegalStateException(String.join(" ", args) + " did not end within 15 minutes");
		}
		CliRun.Result result = new CliRun.Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
				Files.readString(err, StandardCharsets.UTF_8));
		Files.delete(out);
		Files.delete(err);
		return result;
	}

}
