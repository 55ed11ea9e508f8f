package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The crash soak, run by {@code ./mvnw -B verify -Psoak} (not by a plain {@code verify}):
 * a day shaped like the example day, staged as 24 hourly spool files, compressed by child
 * JVMs against a slow fake Cloudflare KV (WireMock, every bulk request answered 50 ms
 * after it took effect), each killed with {@code kill -9} at a random moment timed from
 * the moment its database is open, in ingest, apply and flush, then finished by
 * {@code restart --last} or by the next {@code run}. The same for kills during the first
 * run's migrations. After each round: KV holds what a run that was never killed leaves,
 * the outbox holds each staged record exactly once, and the ledger counts every write and
 * delete KV billed, overcounting by no more than the requests in flight at the kills.
 *
 * <p>
 * {@code -Dsoak.kills=N} and {@code -Dsoak.migration-kills=N} (30 each by default) set
 * the kills, {@code -Dsoak.seed=S} replays a run; each test prints its figures and seed.
 */
class CrashSoak {

	private static final int KILLS = Integer.getInteger("soak.kills", 30);

	private static final int MIGRATION_KILLS = Integer.getInteger("soak.migration-kills", 30);

	private static final List<String> PHASES = List.of("ingest", "apply", "flush");

	private static final String SETTINGS_CHUNKS = "--kvbatch.compress.chunk-size=10";

	private static final String SETTINGS_LINES = "--kvbatch.compress.ingest-lines=25";

	private static final String OUTBOX = "SELECT op, logical_key, value_json, expires_at, kind, seq FROM kv_outbox ORDER BY id";

	private static final String HISTORY = "SELECT \"version\", \"success\" FROM \"flyway_schema_history\" "
			+ "WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"";

	private final long seed = Long.getLong("soak.seed", System.nanoTime());

	private final Random random = new Random(this.seed);

	@TempDir
	Path tmp;

	private FakeCloudflareKv kv;

	private Path template;

	private Reference reference;

	private final Totals totals = new Totals();

	private int children;

	@BeforeEach
	void stageTheDayAndRunItOnceUninterrupted() throws IOException {
		this.kv = FakeCloudflareKv.startServer();
		this.kv.delayBulkAnswers(Duration.ofMillis(50));
		this.template = this.tmp.resolve("template");
		ExampleDay day = new ExampleDay(LocalDate.of(2026, 11, 23));
		CliRun staging = new CliRun(this.template);
		for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
			Path input = Files.write(this.tmp.resolve("hour-%02d.jsonl".formatted(hour)), day.hour(hour));
			assertThat(staging.run("stage", input.toString()).exitCode()).isZero();
		}
		Path clean = round("clean");
		try (ChildJvm child = child(clean, "run", "compress")) {
			Markers markers = Markers.watch(child);
			assertThat(child.waitFor()).as(child.output()).isZero();
			this.reference = new Reference(snapshot(), TableRows.rows(clean, OUTBOX), TableRows.rows(clean, HISTORY),
					markers);
		}
		assertThat(this.reference.kv()).as("the day reaches KV").hasSizeGreaterThan(20);
		this.kv.reset();
	}

	@AfterEach
	void stopKv() {
		this.kv.stopServer();
	}

	@Test
	void killsDuringCompressLoseNothingDuplicateNothingAndTheLedgerCountsEveryBilledCall() throws IOException {
		Map<String, Integer> phases = new TreeMap<>();
		int rounds = 0;
		while (this.totals.kills < KILLS || PHASES.stream().anyMatch((p) -> phases.getOrDefault(p, 0) < KILLS / 10)) {
			assertThat(rounds).as("rounds to reach %d kills over %s: %s", KILLS, PHASES, phases).isLessThan(3 * KILLS);
			Path data = round("round-" + rounds);
			migrate(data);
			// First kill: aimed at a phase, by where it lay in the uninterrupted run.
			String phase = PHASES.get(this.totals.kills % PHASES.size());
			long from = this.reference.markers().sinceReady(SoakChild.STEP + phase);
			long to = this.reference.markers().sinceReady(next(phase));
			count(phases, killAfter(data, from + (long) (this.random.nextDouble() * (to - from)), "run", "compress"));
			// Second kill, anywhere: the run after a kill, a new one or a restart.
			long end = this.reference.markers().sinceReady(Markers.END);
			String[] second = (rounds % 2 == 0) ? new String[] { "run", "compress" }
					: new String[] { "restart", "--last", "compress" };
			count(phases, killAfter(data, (long) (this.random.nextDouble() * end), second));
			finish(data, rounds % 2 == 0);
			rounds++;
		}
		String figures = "crash soak (seed %d): kills %d (%s), lost %d, duplicated %d, ledger gap %d (over by %d, within %d in flight)"
			.formatted(this.seed, this.totals.kills,
					phases.entrySet()
						.stream()
						.map((e) -> e.getKey() + " " + e.getValue())
						.collect(Collectors.joining(", ")),
					this.totals.lost, this.totals.duplicated, this.totals.ledgerGap, this.totals.ledgerOver,
					this.totals.inFlight);
		System.out.println(figures);
		assertThat(this.totals.lost).as(figures).isZero();
		assertThat(this.totals.duplicated).as(figures).isZero();
		assertThat(this.totals.ledgerGap).as(figures).isZero();
		assertThat(this.totals.ledgerOver).as(figures).isLessThanOrEqualTo(this.totals.inFlight);
	}

	@Test
	void killsDuringTheFirstRunsMigrationsNeverBrickTheDataFolder() throws IOException {
		long migrating = this.reference.markers().since(SoakChild.MIGRATING, SoakChild.READY);
		int landed = 0;
		int attempts = 0;
		while (landed < MIGRATION_KILLS) {
			assertThat(attempts).as("attempts to land %d kills in the migrations", MIGRATION_KILLS)
				.isLessThan(3 * MIGRATION_KILLS);
			Path data = round("first-run-" + attempts++);
			long delay = (long) (this.random.nextDouble() * migrating);
			try (ChildJvm child = child(data, "run", "compress")) {
				Markers markers = Markers.watch(child, SoakChild.MIGRATING, delay);
				child.kill();
				if (!markers.seen(SoakChild.READY) && markers.seen(SoakChild.MIGRATING)) {
					landed++;
				}
			}
			finish(data, false);
			assertThat(TableRows.rows(data, HISTORY)).as("every migration recorded, none failed")
				.allMatch((row) -> row.endsWith("| TRUE"))
				.isEqualTo(this.reference.migrations());
		}
		String figures = "crash soak (seed %d): migration kills %d, bricked 0, lost %d, duplicated %d, ledger gap %d"
			.formatted(this.seed, landed, this.totals.lost, this.totals.duplicated, this.totals.ledgerGap);
		System.out.println(figures);
		assertThat(this.totals.lost).as(figures).isZero();
		assertThat(this.totals.duplicated).as(figures).isZero();
		assertThat(this.totals.ledgerGap).as(figures).isZero();
	}

	/**
	 * Starts a child, kills it {@code delay} ms after its database is ready, and returns
	 * the step it was in, or {@code null} if it ended before.
	 */
	private String killAfter(Path data, long delay, String... command) {
		try (ChildJvm child = child(data, command)) {
			Markers markers = Markers.watch(child, SoakChild.READY, delay);
			if (!child.isAlive()) {
				return null;
			}
			child.kill();
			this.totals.kills++;
			return markers.lastStep();
		}
	}

	private static void count(Map<String, Integer> phases, String phase) {
		if (phase != null) {
			phases.merge(phase, 1, Integer::sum);
		}
	}

	private static String next(String phase) {
		int at = PHASES.indexOf(phase);
		return (at + 1 < PHASES.size()) ? SoakChild.STEP + PHASES.get(at + 1) : Markers.END;
	}

	/**
	 * Ends a round with a restart of the killed run or a new run, and compares it with
	 * the uninterrupted run.
	 */
	private void finish(Path data, boolean restart) {
		CliRun cli = new CliRun(data);
		CliRun.Result end = restart ? cli.run(cloudflare("restart", "--last", "compress")) : null;
		if (end == null || end.exitCode() == ExitCodes.USAGE) {
			// A run the kill missed completed: nothing to restart.
			end = cli.run(cloudflare("run", "compress"));
		}
		assertThat(end.exitCode()).as(end.toString()).isZero();
		assertThat(snapshot()).as("KV as after an uninterrupted run").isEqualTo(this.reference.kv());
		List<String> outbox = TableRows.rows(data, OUTBOX);
		this.totals.lost += missing(this.reference.outbox(), outbox);
		this.totals.duplicated += missing(outbox, this.reference.outbox());
		long billed = this.kv.billedWrites() + this.kv.billedDeletes();
		long ledger = Long.parseLong(TableRows
			.rows(data, "SELECT COALESCE(SUM(keys), 0) FROM kv_ledger WHERE operation IN ('write', 'delete')")
			.get(0));
		long inFlight = Long.parseLong(TableRows
			.rows(data,
					"SELECT COALESCE(SUM(keys), 0) FROM kv_ledger WHERE operation IN ('write', 'delete') AND in_flight")
			.get(0));
		this.totals.ledgerGap += Math.max(0, billed - ledger);
		this.totals.ledgerOver += Math.max(0, ledger - billed);
		this.totals.inFlight += inFlight;
		assertThat(ledger - billed).as("the ledger over KV's count, at most what was in flight")
			.isBetween(0L, inFlight);
		this.kv.reset();
	}

	/** Rows of {@code expected} that {@code actual} lacks, duplicates counted. */
	private static long missing(List<String> expected, List<String> actual) {
		Map<String, Integer> left = new HashMap<>();
		actual.forEach((row) -> left.merge(row, 1, Integer::sum));
		long missing = 0;
		for (String row : expected) {
			if (left.merge(row, -1, Integer::sum) < 0) {
				missing++;
			}
		}
		return missing;
	}

	/** Creates the schema, as the first command on a data folder does. */
	private static void migrate(Path data) {
		assertThat(new CliRun(data).run("executions").exitCode()).isZero();
	}

	/** A new data folder with the day's spool files, under the same names. */
	private Path round(String name) throws IOException {
		Path data = this.tmp.resolve(name);
		Path spool = Files.createDirectories(data.resolve("spool"));
		try (Stream<Path> files = Files.list(this.template.resolve("spool"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.copy(file, spool.resolve(file.getFileName()));
			}
		}
		return data;
	}

	private ChildJvm child(Path data, String... command) {
		List<String> args = new ArrayList<>(List.of(command));
		args.add("--kvbatch.data-dir=" + data);
		args.add("--kvbatch.jobs-dir=" + CliRun.noJobsDir(data));
		return ChildJvm.startMain(this.tmp.resolve("child-" + this.children++ + ".log"), List.of(),
				SoakChild.class.getName(), cloudflare(args.toArray(String[]::new)));
	}

	private String[] cloudflare(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add(SETTINGS_CHUNKS);
		all.add(SETTINGS_LINES);
		// No daily budget: every run sends all it has.
		all.add("--kvbatch.plan=paid");
		all.add("--kvbatch.target=cloudflare");
		all.add("--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT);
		all.add("--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE);
		all.add("--kvbatch.cloudflare.api-token=" + FakeCloudflareKv.TOKEN);
		all.add("--kvbatch.cloudflare.base-url=" + this.kv.baseUrl());
		return all.toArray(String[]::new);
	}

	private List<String> snapshot() {
		List<String> lines = new ArrayList<>();
		this.kv.snapshot().forEach((key, stored) -> lines.add(key + " = " + stored));
		return lines;
	}

	private record Reference(List<String> kv, List<String> outbox, List<String> migrations, Markers markers) {
	}

	private static final class Totals {

		int kills;

		long lost;

		long duplicated;

		long ledgerGap;

		long ledgerOver;

		long inFlight;

	}

	/**
	 * When a child's markers first appeared in its output, as this JVM saw them, polling
	 * every millisecond.
	 */
	private static final class Markers {

		static final String END = "(end)";

		private final Map<String, Long> seen = new HashMap<>();

		private String lastStep;

		/** Watches a child to its end. */
		static Markers watch(ChildJvm child) {
			Markers markers = new Markers();
			await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(1)).until(() -> {
				markers.read(child);
				return !child.isAlive();
			});
			markers.read(child);
			markers.seen.put(END, System.nanoTime());
			return markers;
		}

		/**
		 * Watches a child until {@code delay} ms after {@code marker} appeared, or its
		 * end.
		 */
		static Markers watch(ChildJvm child, String marker, long delay) {
			Markers markers = new Markers();
			await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(1)).until(() -> {
				markers.read(child);
				Long at = markers.seen.get(marker);
				return !child.isAlive() || (at != null && System.nanoTime() - at >= delay * 1_000_000);
			});
			markers.read(child);
			return markers;
		}

		private void read(ChildJvm child) {
			long now = System.nanoTime();
			for (String line : child.output().split("\n")) {
				if (line.startsWith("SOAK ")) {
					this.seen.putIfAbsent(line, now);
					if (line.startsWith(SoakChild.STEP)) {
						this.lastStep = line.substring(SoakChild.STEP.length());
					}
				}
			}
		}

		boolean seen(String marker) {
			return this.seen.containsKey(marker);
		}

		/** The step the child was in when it was last read, or "start". */
		String lastStep() {
			return (this.lastStep != null) ? this.lastStep : "start";
		}

		/** Milliseconds from the database being ready to a marker. */
		long sinceReady(String marker) {
			return since(SoakChild.READY, marker);
		}

		long since(String from, String to) {
			assertThat(this.seen).containsKeys(from, to);
			return Math.max(1, (this.seen.get(to) - this.seen.get(from)) / 1_000_000);
		}

	}

}
