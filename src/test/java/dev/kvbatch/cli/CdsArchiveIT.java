package dev.kvbatch.cli;

import dev.kvbatch.bench.CdsArchive;
import dev.kvbatch.bench.ColdStart;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The start-up cache kvbatch ships, on the packaged jar (hence a failsafe test, after
 * {@code package}): {@link CdsArchive}, the bench and the {@code kvbatch} launcher all
 * run the one training script, which extracts the jar and trains, on an empty
 * {@code run compress}, an AppCDS archive on JDK 17 and JDK 25's AOT cache on JDK 25; a
 * new JVM then maps the classes of the job path from it ({@code -Xshare:on} fails if it
 * cannot). A cache that no longer fits is skipped without a word on stdout, and a cache
 * that cannot be made never fails the user's command; a new jar gets a new cache. The JDK
 * 25 tests need one installed where the launcher looks (as on CI, under /usr/lib/jvm):
 * with {@code CI=true} they fail without it; elsewhere they prove the launcher's fallback
 * to AppCDS instead.
 */
class CdsArchiveIT {

	private static final String TRAINING = "src/main/sh/train-startup-cache";

	private static final String MAPPED = " source: shared objects file (top)";

	/** JDK 25 logs classes from its AOT cache without the "(top)". */
	private static final String MAPPED_AOT = " source: shared objects file";

	@TempDir
	static Path shared;

	private static CdsArchive archive;

	@TempDir
	Path tmp;

	@BeforeAll
	static void train() throws Exception {
		assertThat(Runtime.version().feature()).as("the tests run on JDK 17, the baseline").isEqualTo(17);
		archive = CdsArchive.prepare(CdsArchive.currentJava(), bootJar(), shared.resolve("cds"));
	}

	@Test
	void onJdk17TheTrainingWritesAnAppCdsArchive() {
		assertThat(archive.aot()).isFalse();
		assertThat(archive.archive()).hasFileName("kvbatch.jsa").isNotEmptyFile();
		assertThat(archive.command()).contains("-XX:SharedArchiveFile=" + archive.archive())
			.containsSubsequence(CdsArchive.CDS_OPTIONS);
	}

	@Test
	void onJdk25TheTrainingWritesAnAotCacheThatANewJvmMapsTheJobPathFrom() throws Exception {
		CdsArchive aot = CdsArchive.prepare(jdk25().java(), bootJar(), this.tmp.resolve("aot"));

		assertThat(aot.aot()).isTrue();
		assertThat(aot.archive()).hasFileName("kvbatch.aot").isNotEmptyFile();
		Path classes = this.tmp.resolve("classes.log");
		List<String> command = new ArrayList<>(aot.command("-XX:AOTMode=on", "-Xlog:class+load=info:file=" + classes));
		command.addAll(List.of("run", "compress", "--kvbatch.data-dir=" + this.tmp.resolve("data")));
		CliRun.Result run = run(command, Map.of());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).startsWith("compress execution 1: COMPLETED");
		assertThat(Files.readString(classes)).contains("dev.kvbatch.cli.RunCommand" + MAPPED_AOT)
			.contains("org.springframework.batch.core.step.item.ChunkOrientedStep" + MAPPED_AOT)
			.contains("dev.kvbatch.cli.RunSummary" + MAPPED_AOT);

		// The bench's cold start, one round: plain JDK 17 against both caches.
		ColdStart.Mode plain = new ColdStart.Mode("plain java -jar, JDK 17",
				List.of(CdsArchive.currentJava().toString(), "-jar", bootJar().toString()));
		ColdStart.Mode cds = new ColdStart.Mode("AppCDS, JDK 17", archive.command());
		ColdStart.Mode cache = new ColdStart.Mode("AOT cache, JDK 25", aot.command());
		ColdStart.Result cold = new ColdStart(plain, List.of(cds, cache), List.of()).time(this.tmp.resolve("cold"), 1);

		assertThat(cold.lines()).hasSize(3);
		assertThat(cold.lines().get(0)).matches("plain java -jar, JDK 17 +empty run compress [\\d,]+ ms · "
				+ "stage of one line [\\d,]+ ms · usage error [\\d,]+ ms \\(medians of 1\\)");
		assertThat(cold.lines().get(2)).matches("AOT cache, JDK 25 +empty run compress [\\d,]+ ms [\\d.]+× · "
				+ "stage of one line [\\d,]+ ms [\\d.]+× · usage error [\\d,]+ ms [\\d.]+×");
		assertThat(cold.goals()).extracting(ColdStart.Goal::name, ColdStart.Goal::goal)
			.containsExactly(tuple("cold empty run compress (AOT cache, JDK 25)", 0.4),
					tuple("cold stage of one line (AOT cache, JDK 25)", 0.3),
					tuple("cold usage error (AOT cache, JDK 25)", 0.2));
		assertThat(cold.goals()).allSatisfy((goal) -> assertThat(goal.ratio()).isPositive());
	}

	@Test
	void aNewJvmMapsTheJobPathFromTheArchive() throws Exception {
		Path classes = this.tmp.resolve("classes.log");
		List<String> command = new ArrayList<>(archive.command("-Xshare:on", "-Xlog:class+load=info:file=" + classes));
		command.addAll(List.of("run", "compress", "--kvbatch.data-dir=" + this.tmp.resolve("data")));

		CliRun.Result run = run(command, Map.of());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).startsWith("compress execution 1: COMPLETED");
		String loaded = Files.readString(classes);
		assertThat(loaded).as("the command line, the job's step and the summary printed after the job")
			.contains("dev.kvbatch.cli.RunCommand" + MAPPED)
			.contains("org.springframework.batch.core.step.item.ChunkOrientedStep" + MAPPED)
			.contains("dev.kvbatch.cli.RunSummary" + MAPPED);
	}

	@Test
	void anArchiveThatNoLongerFitsIsSkippedAndStdoutKeepsOnlyResults() throws Exception {
		// A copy whose library jar has changed since the training: the archive does not
		// fit.
		Path dir = archive.jar().getParent();
		Path copy = this.tmp.resolve("copy");
		copyTree(dir, copy);
		try (Stream<Path> libs = Files.list(copy.resolve("lib"))) {
			Path lib = libs.filter((path) -> path.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
			Files.setLastModifiedTime(lib, FileTime.from(Instant.now().plusSeconds(60)));
		}
		Path classes = this.tmp.resolve("classes.log");
		List<String> jvm = archive.command("-Xlog:class+load=info:file=" + classes)
			.stream()
			.map((arg) -> arg.replace(dir.toString(), copy.toString()))
			.toList();
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"),
				"{\"op\":\"put\",\"key\":\"a1\",\"value\":1}\n");
		CliRun inProcess = new CliRun(this.tmp.resolve("data"));
		assertThat(inProcess.run("stage", input.toString()).exitCode()).isZero();
		assertThat(inProcess.run("run", "compress").exitCode()).isZero();

		CliRun.Result list = run(with(jvm, "kv", "list", "--json", "--kvbatch.data-dir=" + this.tmp.resolve("data")),
				Map.of());

		assertThat(list.exitCode()).as(list.toString()).isZero();
		assertThat(list.out()).isEqualTo("{\"key\":\"a1\",\"value\":\"1\",\"expiration\":null}\n");
		assertThat(list.err()).doesNotContainIgnoringCase("shared");
		assertThat(Files.readString(classes)).as("the archive was not used").doesNotContain(MAPPED);
	}

	@Test
	void theLauncherTrainsOnceAndThenStartsFromTheArchive() throws Exception {
		Path root = launcherRoot();
		String data = "--kvbatch.data-dir=" + this.tmp.resolve("data");

		Map<String, String> jdk17 = Map.of("KVBATCH_JAVA_HOME", System.getProperty("java.home"));

		CliRun.Result first = launch(root, jdk17, "run", "compress", data);

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.err()).contains("kvbatch: preparing the start-up cache");
		assertThat(first.out()).startsWith("compress execution 1: COMPLETED");
		assertThat(root.resolve("target/cds/kvbatch.jsa")).isNotEmptyFile();
		assertThat(root.resolve("target/cds/kvbatch.aot")).doesNotExist();

		Path classes = this.tmp.resolve("classes.log");
		CliRun.Result second = launch(root, Map.of("KVBATCH_JAVA_HOME", System.getProperty("java.home"),
				"KVBATCH_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info:file=" + classes), "run", "compress", data);

		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.err()).doesNotContain("preparing");
		assertThat(Files.readString(classes)).contains("dev.kvbatch.cli.RunSummary" + MAPPED);

		Path plainClasses = this.tmp.resolve("plain-classes.log");
		CliRun.Result off = launch(root, Map.of("KVBATCH_JAVA_HOME", System.getProperty("java.home"), "KVBATCH_CDS",
				"off", "KVBATCH_JAVA_OPTS", "-Xlog:class+load=info:file=" + plainClasses), "run", "compress", data);

		assertThat(off.exitCode()).as(off.toString()).isZero();
		assertThat(Files.readString(plainClasses)).contains("dev.kvbatch.cli.RunSummary").doesNotContain(MAPPED);
	}

	@Test
	void withAJdk25InstalledTheLauncherTrainsAndStartsFromItsAotCache() throws Exception {
		Path root = launcherRoot();
		String data = "--kvbatch.data-dir=" + this.tmp.resolve("data");
		// The user's java and JAVA_HOME are JDK 17; the launcher finds the JDK 25 beside
		// it.
		Map<String, String> user = Map.of("JAVA_HOME", System.getProperty("java.home"));
		Optional<CdsArchive.Jdk> jdk25 = CdsArchive.installedJdk(CdsArchive.AOT_FEATURE);
		if (jdk25.isEmpty()) {
			assertThat(System.getenv("CI"))
				.as("no JDK %d or later under /usr/lib/jvm (or JAVA_HOME): CI needs one to "
						+ "prove the launcher's AOT cache", CdsArchive.AOT_FEATURE)
				.isNotEqualTo("true");
			CliRun.Result fallback = launch(root, user, "run", "compress", data);
			assertThat(fallback.exitCode()).as(fallback.toString()).isZero();
			assertThat(root.resolve("target/cds/kvbatch.jsa")).as("without a JDK 25, AppCDS").isNotEmptyFile();
			return;
		}

		CliRun.Result first = launch(root, user, "run", "compress", data);

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.err()).contains("kvbatch: preparing the start-up cache");
		assertThat(first.out()).startsWith("compress execution 1: COMPLETED");
		assertThat(root.resolve("target/cds/kvbatch.aot")).isNotEmptyFile();
		assertThat(root.resolve("target/cds/kvbatch.jsa")).doesNotExist();
		assertThat(root.resolve("target/cds/jvm")).content().startsWith(jdk25.get().java().toRealPath().toString());

		Path classes = this.tmp.resolve("classes.log");
		CliRun.Result second = launch(root, Map.of("JAVA_HOME", System.getProperty("java.home"), "KVBATCH_JAVA_OPTS",
				"-XX:AOTMode=on -Xlog:class+load=info:file=" + classes), "run", "compress", data);

		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.err()).doesNotContain("preparing");
		assertThat(second.out()).startsWith("compress execution 2: COMPLETED");
		assertThat(Files.readString(classes)).contains("dev.kvbatch.cli.RunSummary" + MAPPED_AOT);

		// A cache that no longer fits (a library changed since) is skipped in silence.
		try (Stream<Path> libs = Files.list(root.resolve("target/cds/lib"))) {
			Path lib = libs.filter((path) -> path.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
			Files.setLastModifiedTime(lib, FileTime.from(Instant.now().plusSeconds(60)));
		}
		CliRun.Result stale = launch(root, user, "run", "nosuchjob", data);

		assertThat(stale.exitCode()).as(stale.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(stale.out()).isEmpty();
		assertThat(stale.err()).startsWith("kvbatch: unknown job \"nosuchjob\"")
			.doesNotContainIgnoringCase("aot")
			.doesNotContainIgnoringCase("shared");
	}

	@Test
	void whenTheLauncherCannotMakeTheArchiveTheCommandRunsWithoutItUntilTheJarChanges() throws Exception {
		Path root = launcherRoot();
		// A java that refuses to write caches, and runs everything else.
		Path fakeBin = Files.createDirectories(this.tmp.resolve("fake/bin"));
		Path fakeJava = Files.writeString(fakeBin.resolve("java"), """
				#!/bin/sh
				case "$*" in *ArchiveClassesAtExit*|*AOTCacheOutput*) echo "no archive today" >&2; exit 1;; esac
				exec "%s" "$@"
				""".formatted(CdsArchive.currentJava()));
		fakeJava.toFile().setExecutable(true);
		Map<String, String> env = Map.of("KVBATCH_JAVA_HOME", fakeBin.getParent().toString());
		String data = "--kvbatch.data-dir=" + this.tmp.resolve("data");

		CliRun.Result first = launch(root, env, "run", "compress", data);

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).startsWith("compress execution 1: COMPLETED");
		assertThat(first.err()).contains("kvbatch: could not prepare the start-up cache");
		assertThat(root.resolve("target/cds/training.log")).content().contains("no archive today");

		CliRun.Result second = launch(root, env, "run", "compress", data);

		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.err()).doesNotContain("start-up cache");

		Files.setLastModifiedTime(root.resolve("target/kvbatch.jar"), FileTime.from(Instant.now().plusSeconds(60)));
		CliRun.Result newJar = launch(root, env, "run", "compress", data);

		assertThat(newJar.exitCode()).as(newJar.toString()).isZero();
		assertThat(newJar.err()).as("a new jar is trained again").contains("kvbatch: preparing the start-up cache");
	}

	@Test
	void theLauncherTheDockerfileAndTheBenchShareOneTrainingAndRunWithTheSameOptions() throws IOException {
		String launcher = Files.readString(Path.of("kvbatch"));
		String dockerfile = Files.readString(Path.of("Dockerfile"));
		String script = Files.readString(Path.of(TRAINING));
		assertThat(script).contains("-XX:AOTCacheOutput").contains("-XX:ArchiveClassesAtExit");
		try (InputStream copy = CdsArchive.class.getResourceAsStream("train-startup-cache")) {
			assertThat(copy).as("the jar's copy, which bench runs").isNotNull();
			assertThat(new String(copy.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(script);
		}
		for (String other : List.of(launcher, dockerfile)) {
			assertThat(other).as("trains only through the script")
				.doesNotContain("AOTCacheOutput")
				.doesNotContain("ArchiveClassesAtExit");
		}
		assertThat(launcher).contains("sh \"$root/" + TRAINING + "\" \"$java\" \"$cds\" \"$jar\"")
			.contains("-XX:AOTCache=\"$cds/kvbatch.aot\"")
			.contains("-XX:SharedArchiveFile=\"$cds/kvbatch.jsa\"");
		for (String option : CdsArchive.CDS_OPTIONS) {
			assertThat(launcher).contains(option);
		}
		for (String option : CdsArchive.AOT_OPTIONS) {
			assertThat(launcher).contains(option);
			assertThat(dockerfile).contains("\"" + option + "\"");
		}
		assertThat(dockerfile).contains("FROM eclipse-temurin:25-jre\n")
			.contains("COPY " + TRAINING + " /usr/local/bin/train-startup-cache")
			.contains("RUN sh /usr/local/bin/train-startup-cache java /app")
			.contains("test -s /app/kvbatch.aot")
			.contains("\"-XX:AOTCache=/app/kvbatch.aot\"");
	}

	private static CdsArchive.Jdk jdk25() {
		Optional<CdsArchive.Jdk> jdk = CdsArchive.installedJdk(CdsArchive.AOT_FEATURE);
		assertThat(jdk)
			.as("a JDK %d or later, where the launcher looks (/usr/lib/jvm/*, JAVA_HOME, "
					+ "KVBATCH_JAVA_HOME): CI has one; install one to run this test", CdsArchive.AOT_FEATURE)
			.isPresent();
		return jdk.get();
	}

	/**
	 * A copy of the repository's launcher and training script beside the packaged jar, as
	 * after a build (the sources older than the jar).
	 */
	private Path launcherRoot() throws IOException {
		Path root = Files.createDirectories(this.tmp.resolve("root"));
		Path script = root.resolve(TRAINING);
		Files.createDirectories(script.getParent());
		Files.copy(Path.of(TRAINING), script);
		FileTime before = FileTime.from(Instant.now().minusSeconds(3600));
		for (Path path = script; !path.equals(root); path = path.getParent()) {
			Files.setLastModifiedTime(path, before);
		}
		Files.createDirectories(root.resolve("target"));
		Files.copy(bootJar(), root.resolve("target/kvbatch.jar"));
		Path launcher = Files.copy(Path.of("kvbatch"), root.resolve("kvbatch"));
		launcher.toFile().setExecutable(true);
		return root;
	}

	private CliRun.Result launch(Path root, Map<String, String> env, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of("sh", root.resolve("kvbatch").toString()));
		command.addAll(List.of(args));
		Map<String, String> environment = new HashMap<>();
		environment.put("PATH", CdsArchive.currentJava().getParent() + File.pathSeparator + System.getenv("PATH"));
		environment.putAll(env);
		return run(command, environment);
	}

	private CliRun.Result run(List<String> command, Map<String, String> env) throws Exception {
		Path out = Files.createTempFile(this.tmp, "out", ".txt");
		Path err = Files.createTempFile(this.tmp, "err", ".txt");
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.tmp.toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile());
		builder.environment().keySet().removeIf((name) -> name.startsWith("KVBATCH_") || name.startsWith("SPRING_"));
		builder.environment().putAll(env);
		Process process = builder.start();
		assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s ends", command).isTrue();
		return new CliRun.Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
				Files.readString(err, StandardCharsets.UTF_8));
	}

	private static List<String> with(List<String> jvm, String... args) {
		List<String> command = new ArrayList<>(jvm);
		command.addAll(List.of(args));
		return command;
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> paths = Files.walk(from)) {
			for (Path path : paths.toList()) {
				Path target = to.resolve(from.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}

	private static Path bootJar() {
		Path jar = Path.of(System.getProperty("kvbatch.jar", "target/kvbatch.jar"));
		assertThat(jar).as("the packaged jar (run by failsafe, after package)").isRegularFile();
		return jar;
	}

}
