package dev.kvbatch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs kvbatch's command line in this JVM against one data folder, capturing stdout and
 * stderr.
 */
final class CliRun {

	private final Path dataDir;

	private final Class<?>[] extraSources;

	CliRun(Path dataDir, Class<?>... extraSources) {
		this.dataDir = dataDir;
		this.extraSources = extraSources;
	}

	/** The data folder the commands run on. */
	Path dataDir() {
		return this.dataDir;
	}

	Result run(String... args) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--kvbatch.data-dir=" + this.dataDir);
		all.add("--kvbatch.jobs-dir=" + noJobsDir(this.dataDir));
		// The clock is the one seam staging shares with the jobs.
		Class<?>[] staging = Arrays.stream(this.extraSources)
			.filter(FixedClockConfiguration.class::equals)
			.toArray(Class<?>[]::new);
		int code = new Cli(this.extraSources).stagingSources(staging)
			.output(new PrintWriter(out, true), new PrintWriter(err, true))
			.run(all.toArray(String[]::new));
		return new Result(code, out.toString(), err.toString());
	}

	/**
	 * An empty jobs folder in the data folder: the bundled rules apply, whatever the
	 * working directory's jobs/ holds.
	 */
	static Path noJobsDir(Path dataDir) {
		Path dir = dataDir.resolve("no-jobs-dir");
		try {
			return Files.createDirectories(dir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	record Result(int exitCode, String out, String err) {

		@Override
		public String toString() {
			return "exit " + this.exitCode + "\n--- stdout\n" + this.out + "--- stderr\n" + this.err;
		}

	}

}
