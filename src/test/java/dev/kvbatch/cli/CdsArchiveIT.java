package dev.kvbatch.cli;

import dev.kvbatch.bench.CdsArchive;
import java.io.File;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up archive kvbatch ships, on the packaged jar (hence a failsafe test, after
 * {@code package}): {@link CdsArchive} and the {@code kvbatch} launcher extract it and
 * train an archive on an empty {@code run compress}, and a new JVM then maps the classes
 * of the job path from it ({@code -Xshare:on} fails if it cannot). An archive that no
 * longer fits is skipped without a word on stdout, and an archive that cannot be made
 * never fails the user's command; a new jar gets a new archive.
 */
class CdsArchiveIT {

	private static final String MAPPED = " source: shared objects file (top)";

	@TempDir
	static Path shared;

	private static CdsArchive archive;

	@TempDir
	Path tmp;

	@BeforeAll
	static void train() throws Exception {
		archive = CdsArchive.prepare(CdsArchive.currentJava(), bootJar(), shared.resolve("cds"));
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

		CliRun.Result first = launch(root, Map.of(), "run", "compress", data);

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.err()).contains("kvbatch: preparing the start-up archive");
		assertThat(first.out()).startsWith("compress execution 1: COMPLETED");
		assertThat(root.resolve("target/cds/kvbatch.jsa")).isNotEmptyFile();

		Path classes = this.tmp.resolve("classes.log");
		CliRun.Result second = launch(root,
				Map.of("KVBATCH_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info:file=" + classes), "run", "compress",
				data);

		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.err()).doesNotContain("preparing");
		assertThat(Files.readString(classes)).contains("dev.kvbatch.cli.RunSummary" + MAPPED);

		Path plainClasses = this.tmp.resolve("plain-classes.log");
		CliRun.Result off = launch(root,
				Map.of("KVBATCH_CDS", "off", "KVBATCH_JAVA_OPTS", "-Xlog:class+load=info:file=" + plainClasses), "run",
				"compress", data);

		assertThat(off.exitCode()).as(off.toString()).isZero();
		assertThat(Files.readString(plainClasses)).contains("dev.kvbatch.cli.RunSummary").doesNotContain(MAPPED);
	}

	@Test
	void whenTheLauncherCannotMakeTheArchiveTheCommandRunsWithoutItUntilTheJarChanges() throws Exception {
		Path root = launcherRoot();
		// A java that refuses to write archives, and runs everything else.
		Path fakeBin = Files.createDirectories(this.tmp.resolve("fake/bin"));
		Path fakeJava = Files.writeString(fakeBin.resolve("java"), """
				#!/bin/sh
				case "$*" in *ArchiveClassesAtExit*) echo "no archive today" >&2; exit 1;; esac
				exec "%s" "$@"
				""".formatted(CdsArchive.currentJava()));
		fakeJava.toFile().setExecutable(true);
		Map<String, String> env = Map.of("PATH", fakeBin + File.pathSeparator + System.getenv("PATH"));
		String data = "--kvbatch.data-dir=" + this.tmp.resolve("data");

		CliRun.Result first = launch(root, env, "run", "compress", data);

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).startsWith("compress execution 1: COMPLETED");
		assertThat(first.err()).contains("kvbatch: could not prepare the start-up archive");
		assertThat(root.resolve("target/cds/training.log")).content().contains("no archive today");

		CliRun.Result second = launch(root, env, "run", "compress", data);

		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.err()).doesNotContain("start-up archive");

		Files.setLastModifiedTime(root.resolve("target/kvbatch.jar"), FileTime.from(Instant.now().plusSeconds(60)));
		CliRun.Result newJar = launch(root, env, "run", "compress", data);

		assertThat(newJar.exitCode()).as(newJar.toString()).isZero();
		assertThat(newJar.err()).as("a new jar is trained again").contains("kvbatch: preparing the start-up archive");
	}

	@Test
	void theLauncherAndTheDockerfileRunWithTheSameOptions() throws IOException {
		String launcher = Files.readString(Path.of("kvbatch"));
		String dockerfile = Files.readString(Path.of("Dockerfile"));
		for (String option : CdsArchive.RUN_OPTIONS) {
			assertThat(launcher).contains(option);
			assertThat(dockerfile).contains("\"" + option + "\"");
		}
		assertThat(dockerfile).contains("-XX:ArchiveClassesAtExit=/app/kvbatch.jsa -jar /app/kvbatch.jar run compress")
			.contains("\"-XX:SharedArchiveFile=/app/kvbatch.jsa\"");
	}

	/** A copy of the repository's launcher beside the packaged jar, as after a build. */
	private Path launcherRoot() throws IOException {
		Path root = Files.createDirectories(this.tmp.resolve("root/target"));
		Files.copy(bootJar(), root.resolve("kvbatch.jar"));
		Path launcher = Files.copy(Path.of("kvbatch"), root.getParent().resolve("kvbatch"));
		launcher.toFile().setExecutable(true);
		return root.getParent();
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
