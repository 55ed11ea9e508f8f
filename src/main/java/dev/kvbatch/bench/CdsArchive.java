package dev.kvbatch.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start-up cache kvbatch ships, for {@code bench} and the tests: the Boot jar
 * extracted with Spring Boot's {@code -Djarmode=tools extract}, and a class-data-sharing
 * cache of the classes that a real empty {@code run compress} loads, written by a
 * training run on a scratch data folder. On JDK 25 or later that is JDK's AOT cache (JEP
 * 514/515, {@code kvbatch.aot}), on older JDKs an AppCDS archive ({@code kvbatch.jsa}). A
 * JVM started with {@link #command(String...)} maps those classes from the cache instead
 * of reading, parsing and verifying each one.
 * <p>
 * The training itself is {@code src/main/sh/train-startup-cache}, the one script the
 * {@code kvbatch} launcher and the {@code Dockerfile} run too; this class runs the copy
 * the jar carries. A cache fits only the JVM build and the class path (jars, sizes and
 * times) it was trained with. {@link #CDS_OPTIONS} and {@link #AOT_OPTIONS} make a JVM
 * that cannot map it start without it, and keep the JVM's own messages off standard
 * output, which carries command results ({@code kv list --json}).
 */
public final class CdsArchive {

	/**
	 * The JVM options that go with {@code -XX:SharedArchiveFile}, in the launcher too:
	 * use the archive if it fits, else start without it, silently; any other JVM warning
	 * goes to stderr.
	 */
	public static final List<String> CDS_OPTIONS = List.of("-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr",
			"-Xlog:cds*=off:stderr");

	/**
	 * The JVM options that go with {@code -XX:AOTCache}, in the launcher and the
	 * Dockerfile too: the same, for JDK 25, whose cache messages are tagged {@code aot}.
	 */
	public static final List<String> AOT_OPTIONS = List.of("-Xlog:disable", "-Xlog:all=warning:stderr",
			"-Xlog:aot*=off:stderr", "-Xlog:cds*=off:stderr");

	/** The first JDK feature release whose AOT cache the training writes. */
	public static final int AOT_FEATURE = 25;

	/** The training script, as the jar carries it beside this class. */
	static final String SCRIPT = "train-startup-cache";

	/**
	 * Set by the launcher, which runs the extracted copy: the Boot jar it came from.
	 */
	static final String BOOT_JAR_PROPERTY = "kvbatch.boot-jar";

	private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

	private static final long TIMEOUT_MINUTES = 10;

	private final Path java;

	private final Path dir;

	private final Path archive;

	private CdsArchive(Path java, Path dir, Path archive) {
		this.java = java;
		this.dir = dir;
		this.archive = archive;
	}

	/**
	 * Extracts {@code bootJar} into {@code dir} (emptied first) and trains the cache
	 * there with {@code java}, which must be the JVM that will use it: the
	 * {@code train-startup-cache} script, run with {@code sh}.
	 * @throws IOException with the reason if a step fails; its output is in
	 * {@code dir/training.log}
	 */
	public static CdsArchive prepare(Path java, Path bootJar, Path dir) throws IOException, InterruptedException {
		Path script = Files.createTempFile(SCRIPT, ".sh");
		Path err = Files.createTempFile(SCRIPT, ".err");
		try {
			try (InputStream in = CdsArchive.class.getResourceAsStream(SCRIPT)) {
				if (in == null) {
					throw new IOException("the jar carries no " + SCRIPT);
				}
				Files.write(script, in.readAllBytes());
			}
			Process process = new ProcessBuilder("sh", script.toString(), java.toString(),
					dir.toAbsolutePath().toString(), bootJar.toAbsolutePath().toString())
				.redirectError(err.toFile())
				.start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new IOException(SCRIPT + " took over " + TIMEOUT_MINUTES + " minutes");
			}
			if (process.exitValue() != 0) {
				throw new IOException(SCRIPT + " exited " + process.exitValue() + ": " + Files.readString(err).strip());
			}
			Path archive = dir.resolve(out);
			if (!Files.isRegularFile(archive)) {
				throw new IOException(SCRIPT + " named no cache it wrote: \"" + out + "\"");
			}
			return new CdsArchive(java, dir, archive);
		}
		finally {
			Files.delete(script);
			Files.delete(err);
		}
	}

	/** The JVM running this code. */
	public static Path currentJava() {
		return Path.of(System.getProperty("java.home"), "bin", "java");
	}

	/**
	 * The JDKs (and JREs) installed where a user's machine has them: this JVM's,
	 * {@code KVBATCH_JAVA_HOME}, {@code JAVA_HOME}, {@code /usr/lib/jvm/*} and
	 * {@code /Library/Java/JavaVirtualMachines/}{@code *}{@code /Contents/Home}, each
	 * once, with its feature release read from its {@code release} file.
	 */
	public static List<Jdk> installedJdks() {
		Set<Path> homes = new LinkedHashSet<>();
		homes.add(Path.of(System.getProperty("java.home")));
		for (String variable : List.of("KVBATCH_JAVA_HOME", "JAVA_HOME")) {
			String home = System.getenv(variable);
			if (home != null && !home.isBlank()) {
				homes.add(Path.of(home));
			}
		}
		homes.addAll(children(Path.of("/usr/lib/jvm"), ""));
		homes.addAll(children(Path.of("/Library/Java/JavaVirtualMachines"), "Contents/Home"));
		List<Jdk> jdks = new ArrayList<>();
		Set<Path> seen = new LinkedHashSet<>();
		for (Path home : homes) {
			Path java = home.resolve("bin/java");
			try {
				if (Files.isExecutable(java) && seen.add(home.toRealPath())) {
					Matcher version = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
					if (version.find()) {
						jdks.add(new Jdk(java, Integer.parseInt(version.group(1))));
					}
				}
			}
			catch (IOException ex) {
				// Not a JDK with a release file: not one of the candidates.
			}
		}
		return jdks;
	}

	/** The first installed JDK whose feature release is at least {@code feature}. */
	public static Optional<Jdk> installedJdk(int feature) {
		return installedJdks().stream().filter((jdk) -> jdk.feature() >= feature).findFirst();
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
	 * The command that starts kvbatch with the cache and these further JVM options;
	 * append kvbatch's arguments.
	 */
	public List<String> command(String... jvmOptions) {
		List<String> command = new ArrayList<>();
		command.add(this.java.toString());
		if (aot()) {
			command.add("-XX:AOTCache=" + this.archive);
			command.addAll(AOT_OPTIONS);
		}
		else {
			command.add("-XX:SharedArchiveFile=" + this.archive);
			command.addAll(CDS_OPTIONS);
		}
		command.addAll(List.of(jvmOptions));
		command.addAll(List.of("-jar", jar().toString()));
		return command;
	}

	/** True for JDK 25's AOT cache, false for an AppCDS archive. */
	public boolean aot() {
		return this.archive.getFileName().toString().endsWith(".aot");
	}

	/** {@code kvbatch.aot} or {@code kvbatch.jsa}. */
	public Path archive() {
		return this.archive;
	}

	/** The extracted application jar, whose manifest names the libraries in lib/. */
	public Path jar() {
		return this.dir.resolve("kvbatch.jar");
	}

	private static List<Path> children(Path dir, String suffix) {
		List<Path> children = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
			entries.forEach((entry) -> children.add(suffix.isEmpty() ? entry : entry.resolve(suffix)));
		}
		catch (IOException ex) {
			return List.of();
		}
		children.sort(Comparator.naturalOrder());
		return children;
	}

	/** An installed JVM and its feature release (17, 25). */
	public record Jdk(Path java, int feature) {

	}

}
