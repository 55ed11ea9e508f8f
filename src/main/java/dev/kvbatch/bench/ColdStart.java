package dev.kvbatch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The cold start a CronJob pays, for {@code kvbatch bench}: three commands (an empty
 * {@code run compress}, {@code stage} of one line and a usage error), each from a new
 * JVM, in three set-ups: plain {@code java -jar kvbatch.jar} on JDK 17 (the baseline),
 * and the start-up caches {@link CdsArchive} trains: AppCDS on JDK 17 and the AOT cache
 * on JDK 25, when one is installed. Every round runs each command in each set-up in turn,
 * so that all see the same machine; the figures are medians, and each ratio is against
 * the baseline of the same command.
 */
public final class ColdStart {

	/** What is timed, and issue 20's goal for it against the baseline. */
	public enum Command {

		EMPTY_RUN("empty run compress", 0.4), STAGE("stage of one line", 0.3), USAGE_ERROR("usage error", 0.2);

		private final String label;

		private final double goal;

		Command(String label, double goal) {
			this.label = label;
			this.goal = goal;
		}

		public String label() {
			return this.label;
		}

		public double goal() {
			return this.goal;
		}

	}

	/** A set-up: its name and the command line that starts kvbatch in it. */
	public record Mode(String name, List<String> jvm) {

	}

	/** A ratio and its goal, for the bench's targets. */
	public record Goal(String name, double ratio, double goal) {

	}

	private final Mode baseline;

	private final List<Mode> modes;

	private final List<String> notes;

	/**
	 * @param baseline plain {@code java -jar}
	 * @param modes the set-ups compared with it, the one the launcher prefers last
	 * @param notes set-ups that could not be prepared, and why
	 */
	public ColdStart(Mode baseline, List<Mode> modes, List<String> notes) {
		this.baseline = baseline;
		this.modes = List.copyOf(modes);
		this.notes = List.copyOf(notes);
	}

	/**
	 * Finds the JDKs ({@link CdsArchive#installedJdks()}) and trains their caches in
	 * {@code dir}: plain and AppCDS on JDK 17 (this JVM if no 17 is installed), the AOT
	 * cache on the first JDK 25 or later.
	 */
	public static ColdStart prepare(Path bootJar, Path dir) throws InterruptedException {
		List<CdsArchive.Jdk> jdks = CdsArchive.installedJdks();
		CdsArchive.Jdk base = jdks.stream().filter((jdk) -> jdk.feature() == 17).findFirst().orElse(jdks.get(0));
		Mode plain = new Mode("plain java -jar, JDK " + base.feature(),
				List.of(base.java().toString(), "-jar", bootJar.toString()));
		List<Mode> modes = new ArrayList<>();
		List<String> notes = new ArrayList<>();
		train(base, bootJar, dir.resolve("cds-" + base.feature()), modes, notes);
		Optional<CdsArchive.Jdk> aot = jdks.stream()
			.filter((jdk) -> jdk.feature() >= CdsArchive.AOT_FEATURE)
			.findFirst();
		if (aot.isPresent()) {
			train(aot.get(), bootJar, dir.resolve("aot-" + aot.get().feature()), modes, notes);
		}
		else {
			notes.add("AOT cache skipped: no JDK " + CdsArchive.AOT_FEATURE
					+ " or later (KVBATCH_JAVA_HOME, JAVA_HOME, /usr/lib/jvm)");
		}
		return new ColdStart(plain, modes, notes);
	}

	private static String name(CdsArchive archive, int feature) {
		return (archive.aot() ? "AOT cache, JDK " : "AppCDS, JDK ") + feature;
	}

	private static void train(CdsArchive.Jdk jdk, Path bootJar, Path dir, List<Mode> modes, List<String> notes)
			throws InterruptedException {
		try {
			CdsArchive archive = CdsArchive.prepare(jdk.java(), bootJar, dir);
			modes.add(new Mode(name(archive, jdk.feature()), archive.command()));
		}
		catch (IOException ex) {
			notes.add("no start-up cache for JDK " + jdk.feature() + ": " + ex.getMessage());
		}
	}

	/**
	 * Times each command in each set-up, {@code runs} rounds after one that creates the
	 * schema, with data folders in {@code dir}.
	 */
	public Result time(Path dir, int runs) throws Exception {
		Files.createDirectories(dir);
		Path line = Files.writeString(dir.resolve("one-line.jsonl"), "{\"op\":\"put\",\"key\":\"a1\",\"value\":1}\n");
		List<Mode> all = new ArrayList<>();
		all.add(this.baseline);
		all.addAll(this.modes);
		Map<Mode, Map<Command, List<Long>>> times = new LinkedHashMap<>();
		for (int round = 0; round <= runs; round++) {
			for (Command command : Command.values()) {
				for (Mode mode : all) {
					long millis = run(mode, command, dir.resolve("data-" + command.name().toLowerCase()), line);
					if (round > 0) {
						times.computeIfAbsent(mode, (m) -> new EnumMap<>(Command.class))
							.computeIfAbsent(command, (c) -> new ArrayList<>())
							.add(millis);
					}
				}
			}
		}
		Map<Mode, Map<Command, Long>> medians = new LinkedHashMap<>();
		times.forEach((mode, byCommand) -> {
			Map<Command, Long> median = new EnumMap<>(Command.class);
			byCommand.forEach((command, list) -> median.put(command, median(list)));
			medians.put(mode, median);
		});
		return new Result(this.baseline, medians, runs, this.notes);
	}

	private static long run(Mode mode, Command command, Path dataDir, Path line) throws Exception {
		List<String> args = new ArrayList<>(mode.jvm());
		int expected = 0;
		switch (command) {
			case EMPTY_RUN -> args.addAll(List.of("run", "compress"));
			case STAGE -> args.addAll(List.of("stage", line.toString()));
			case USAGE_ERROR -> {
				args.addAll(List.of("run", "nosuchjob"));
				expected = 2;
			}
		}
		args.addAll(List.of("--kvbatch.data-dir=" + dataDir, "--kvbatch.target=local"));
		long start = System.nanoTime();
		Process process = new ProcessBuilder(args).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!process.waitFor(5, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IllegalStateException("the cold run took over 5 minutes: " + args);
		}
		if (process.exitValue() != expected) {
			throw new IllegalStateException(
					"the cold run exited " + process.exitValue() + ", not " + expected + ": " + args);
		}
		return (System.nanoTime() - start) / 1_000_000;
	}

	private static long median(List<Long> times) {
		List<Long> sorted = new ArrayList<>(times);
		sorted.sort(null);
		return sorted.get(sorted.size() / 2);
	}

	/** The medians, by set-up and command. */
	public record Result(Mode baseline, Map<Mode, Map<Command, Long>> medians, int runs, List<String> notes) {

		/** The median of {@code command} in {@code mode}, in ms. */
		public long millis(Mode mode, Command command) {
			Map<Command, Long> byCommand = this.medians.get(mode);
			Long millis = (byCommand != null) ? byCommand.get(command) : null;
			if (millis == null) {
				throw new IllegalArgumentException(mode.name() + " did not time " + command.label());
			}
			return millis;
		}

		/** Each set-up's median against the baseline's, for {@code command}. */
		public double ratio(Mode mode, Command command) {
			return (double) millis(mode, command) / millis(this.baseline, command);
		}

		/** The lines {@code bench} prints: one per set-up, then the notes. */
		public List<String> lines() {
			List<String> lines = new ArrayList<>();
			for (Mode mode : this.medians.keySet()) {
				List<String> figures = new ArrayList<>();
				for (Command command : Command.values()) {
					figures.add((mode == this.baseline)
							? String.format("%s %,d ms", command.label(), millis(mode, command)) : String.format(
									"%s %,d ms %.2f×", command.label(), millis(mode, command), ratio(mode, command)));
				}
				String suffix = (mode == this.baseline) ? " (medians of " + this.runs + ")" : "";
				lines.add(String.format("%-24s %s%s", mode.name(), String.join(" · ", figures), suffix));
			}
			this.notes.forEach(lines::add);
			return lines;
		}

		/**
		 * The goals, for the fastest set-up the launcher uses (the AOT cache when there
		 * is one): none if only the baseline ran.
		 */
		public List<Goal> goals() {
			List<Mode> modes = new ArrayList<>(this.medians.keySet());
			if (modes.size() < 2) {
				return List.of();
			}
			Mode shipped = modes.get(modes.size() - 1);
			List<Goal> goals = new ArrayList<>();
			for (Command command : Command.values()) {
				goals.add(new Goal("cold " + command.label() + " (" + shipped.name() + ")", ratio(shipped, command),
						command.goal()));
			}
			return goals;
		}

	}

}
