package dev.kvbatch.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kvbatch.KvBatchApplication;

/**
 * A kvbatch command in a JVM of its own, on the test class path, its stdout and stderr in
 * a file: a process a test can {@code kill -9} ({@link Process#destroyForcibly()}) as a
 * node failure or the OOM killer would.
 */
final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final Path output;

	private ChildJvm(Process process, Path output) {
		this.process = process;
		this.output = output;
	}

	/** Starts {@code kvbatch <args>} with these JVM options. */
	static ChildJvm start(Path output, List<String> jvmOptions, String... args) {
		return startMain(output, jvmOptions, KvBatchApplication.class.getName(), args);
	}

	/** Starts a main class of the test class path with these JVM options. */
	static ChildJvm startMain(Path output, List<String> jvmOptions, String mainClass, String... args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass);
		command.addAll(List.of(args));
		try {
			Files.createDirectories(output.toAbsolutePath().getParent());
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			return new ChildJvm(process, output);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/** What the process printed so far, stdout and stderr interleaved. */
	String output() {
		try {
			return Files.readString(this.output, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sends the process SIGTERM, as {@code kill} or Kubernetes would. */
	void terminate() {
		this.process.destroy();
	}

	/** Kills the process with SIGKILL and waits until it is gone. */
	void kill() {
		this.process.destroyForcibly();
		waitFor();
	}

	/** Waits for the process to end on its own; returns its exit code. */
	int waitFor() {
		try {
			if (!this.process.waitFor(5, TimeUnit.MINUTES)) {
				this.process.destroyForcibly();
				throw new AssertionError("the child JVM did not end within 5 minutes:\n" + output());
			}
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			kill();
		}
	}

}
