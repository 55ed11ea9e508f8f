package dev.kvbatch.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The start-up set-up kvbatch ships, in Java for {@code bench} and the tests (the
 * {@code kvbatch} launcher and the {@code Dockerfile} take the same two steps): the Boot
 * jar extracted with Spring Boot's {@code -Djarmode=tools extract}, and an AppCDS archive
 * of the classes that a real empty {@code run compress} loads, written at the end of a
 * training run on a scratch data folder. A JVM started with {@link #command(String...)}
 * maps those classes from the archive instead of reading, parsing and verifying each one,
 * which about halves the wall time of a scheduled run.
 * <p>
 * An archive fits only the JVM build and the class path (jars, sizes and times) it was
 * trained with. {@link #RUN_OPTIONS} make a JVM that cannot map it start without it, and
 * keep the JVM's own messages off standard output, which carries command results
 * ({@code kv list --json}).
 */
public final class CdsArchive {

	/**
	 * The JVM options that go with {@code -XX:SharedArchiveFile}, in the launcher and the
	 * Dockerfile too: use the archive if it fits, else start without it, silently; any
	 * other JVM warning goes to stderr.
	 */
	public static final List<String> RUN_OPTIONS = List.of("-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr",
			"-Xlog:cds*=off:stderr");

	/**
	 * Set by the launcher, which runs the extracted copy: the Boot jar it came from.
	 */
	static final String BOOT_JAR_PROPERTY = "kvbatch.boot-jar";

	/**
	 * The training run sees none of the user's settings (a PostgreSQL URL, the Cloudflare
	 * target): only these variables are passed on.
	 */
	private static final Set<String> TRAINING_ENVIRONMENT = Set.of("PATH", "HOME", "TMPDIR");

	private static final long STEP_TIMEOUT_MINUTES = 10;

	private final Path java;

	private final Path dir;

	private CdsArchive(Path java, Path dir) {
		this.java = java;
		this.dir = dir;
	}

	/**
	 * Extracts {@code bootJar} into {@code dir} (emptied first) and trains the archive
	 * there with {@code java}, which must be the JVM that will use it.
	 * @throws IOException with the reason if a step fails; its output is in
	 * {@code dir/training.log}
	 */
	public static CdsArchive prepare(Path java, Path bootJar, Path dir) throws IOException, InterruptedException {
		deleteRecursively(dir);
		Path training = Files.createDirectories(dir.resolve("training"));
		// An empty jobs folder: the bundled rules, whatever the working directory holds.
		Files.createDirectories(training.resolve("jobs"));
		Path log = dir.resolve("training.log");
		run(List.of(java.toString(), "-Djarmode=tools", "-jar", bootJar.toString(), "extract", "--force",
				"--destination", dir.toString(), "--application-filename", "kvbatch.jar"), dir, log, "extracting");
		Path written = dir.resolve("kvbatch.jsa.tmp");
		run(List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + written, "-jar",
				dir.resolve("kvbatch.jar").toString(), "run", "compress",
				"--kvbatch.data-dir=" + training.resolve("data"), "--kvbatch.jobs-dir=" + training.resolve("jobs"),
				"--kvbatch.target=local"), training, log, "the training run");
		if (!Files.isRegularFile(written) || Files.size(written) == 0) {
			throw new IOException("the training run wrote no archive (see " + log + ")");
		}
		// Renamed only once complete: a JVM handed a half-written archive can crash.
		Files.move(written, dir.resolve("kvbatch.jsa"), StandardCopyOption.ATOMIC_MOVE);
		deleteRecursively(training);
		return new CdsArchive(java, dir);
	}

	/** The JVM running this code. */
	public static Path currentJava() {
		return Path.of(System.getProperty("java.home"), "bin", "java");
	}

	/**
	 * The Boot jar this JVM was started from: the one the launcher names, or the class
	 * path when that is a single Boot jar ({@code java -jar target/kvbatch.jar}); empty
	 * otherwise (the tests' class path, the image's extracted copy).
	 */
	public static Optional<Path> bootJar() {
		String launched = System.getProperty(BOOT_JAR_PROPERTY);
		if (launched != null && Files.isRegularFile(Path.of(launched))) {
			return Optional.of(Path.of(launched));
		}
		String classpath = System.getProperty("java.class.path", "");
		if (!classpath.endsWith(".jar") || classpath.contains(File.pathSeparator)) {
			return Optional.empty();
		}
		try (JarFile jar = new JarFile(classpath)) {
			Manifest manifest = jar.getManifest();
			boolean boot = manifest != null && manifest.getMainAttributes().getValue("Start-Class") != null;
			return boot ? Optional.of(Path.of(classpath)) : Optional.empty();
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * The command that starts kvbatch with the archive and these further JVM options;
	 * append kvbatch's arguments.
	 */
	public List<String> command(String... jvmOptions) {
		List<String> command = new ArrayList<>();
		command.add(this.java.toString());
		command.add("-XX:SharedArchiveFile=" + archive());
		command.addAll(RUN_OPTIONS);
		command.addAll(List.of(jvmOptions));
		command.addAll(List.of("-jar", jar().toString()));
		return command;
	}

	public Path archive() {
		return this.dir.resolve("kvbatch.jsa");
	}

	/** The extracted application jar, whose manifest names the libraries in lib/. */
	public Path jar() {
		return this.dir.resolve("kvbatch.jar");
	}

	private static void run(List<String> command, Path directory, Path log, String step)
			throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		builder.environment().keySet().retainAll(TRAINING_ENVIRONMENT);
		Process process = builder.start();
		if (!process.waitFor(STEP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IOException(step + " took over " + STEP_TIMEOUT_MINUTES + " minutes (see " + log + ")");
		}
		if (process.exitValue() != 0) {
			throw new IOException(step + " exited " + process.exitValue() + " (see " + log + ")");
		}
	}

	private static void deleteRecursively(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
