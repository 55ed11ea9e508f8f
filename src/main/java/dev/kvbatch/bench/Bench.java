package dev.kvbatch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.StageSummary;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.Operation;
import dev.kvbatch.pack.PackingRules;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code kvbatch bench}: generates N seed-shaped staged operations in a scratch data
 * folder, runs ingest, compress and prune on them, and prints each rate next to a raw
 * JDBC baseline measured in the same run on the same H2 file, the KV operations sent
 * against three baselines, the peak heap, the H2 file size and the cold start of an empty
 * run. Ends with {@code compress/raw-jdbc: <ratio>}. The command line hands it the
 * contexts it boots ({@link Contexts}), so the tooling needs nothing of the CLI. See
 * BENCHMARKS.md.
 */
public final class Bench {

	private static final Instant DAY = Instant.parse("2026-11-23T00:00:00Z");

	private static final int PAGE = 10_000;

	private final Contexts contexts;

	private final long ops;

	private final int coldRuns;

	/**
	 * @param contexts boots the contexts the bench runs in
	 * @param ops staged operations to generate
	 * @param coldRuns rounds of cold-JVM commands to time ({@link ColdStart}; 0 to skip)
	 */
	public Bench(Contexts contexts, long ops, int coldRuns) {
		this.contexts = contexts;
		this.ops = ops;
		this.coldRuns = coldRuns;
	}

	/** The Spring contexts of the bench, with the user's settings. */
	public interface Contexts {

		/** {@code <data-dir>/<name>}, emptied first. */
		Path scratch(String name) throws IOException;

		/** The staging context over {@code dataDir}. */
		ConfigurableApplicationContext staging(Path dataDir);

		/** The whole application over {@code dataDir}, with the settings added. */
		ConfigurableApplicationContext full(Path dataDir, Map<String, String> settings);

	}

	/** Runs the bench, printing to {@code out}. */
	public void run(PrintWriter out) throws Exception {

		Path dir = this.contexts.scratch("bench");
		SeedWorkload workload = new SeedWorkload(this.ops, DAY);
		Path spoolFile = workload.writeSpoolFile(dir.resolve("spool"));
		out.printf("kvbatch bench: %,d staged operations over %,d distinct logical keys, max heap %d MiB%n",
				workload.operations(), workload.distinctKeys(), Runtime.getRuntime().maxMemory() >> 20);
		Path database = dir.resolve("kvbatch.mv.db");
		StageRates stage = stageRates(workload, dir.resolve("stage"));
		try (HeapAfterGc heap = new HeapAfterGc()) {
			double ingestRate;
			double rawInsert;
			double compressRate;
			double rawScan;
			long distinctLogical;
			long physicalKeys;
			long sentOps;
			long openAfterCompress;
			BoundedOptimum bounded;
			// Each job closes its database when it ends, as a scheduled run's process
			// does:
			// H2 moves the live pages down and truncates the file as it closes.
			try (ConfigurableApplicationContext context = context(dir)) {
				JobRuns runs = context.getBean(JobRuns.class);
				DataSource dataSource = context.getBean(DataSource.class);
				JsonMapper mapper = context.getBean(JsonMapper.class);

				Timed ingest = Timed.run(() -> runs.start(JobNames.INGEST, Map.of()));
				heap.measure();
				ingestRate = step(ingest.execution(), Steps.INGEST).getWriteCount() / ingest.seconds();
				rawInsert = rawInsert(dataSource, mapper, dir.resolve("spool/done").resolve(spoolFile.getFileName()));
				rawScan = rawScan(dataSource);
				distinctLogical = context.getBean(Outbox.class).distinctLogicalKeys();

				Timed compress = Timed.run(() -> runs.start(JobNames.COMPRESS, Map.of()));
				heap.measure();
				long applied = step(compress.execution(), Steps.APPLY).getExecutionContext()
					.getLong(JobRuns.APPLY_ROWS);
				compressRate = applied / compress.seconds();
				Map<Operation, Long> sent = context.getBean(Ledger.class).sentBy(compress.execution().getId());
				sentOps = sent.getOrDefault(Operation.WRITE, 0L) + sent.getOrDefault(Operation.DELETE, 0L);
				physicalKeys = count(dataSource, "SELECT COUNT(*) FROM kv_local");
				bounded = boundedOptimum(dataSource, context.getBean(PackingRules.class), workload.operations());
				openAfterCompress = Files.size(database);
			}
			FileSizes compressFile = new FileSizes(openAfterCompress, Files.size(database),
					compactedSize(database, dir.resolve("compacted")));
			long openAfterPrune;
			try (ConfigurableApplicationContext context = context(dir)) {
				context.getBean(JobRuns.class).start(JobNames.PRUNE, Map.of());
				heap.measure();
				openAfterPrune = Files.size(database);
			}
			FileSizes pruneFile = new FileSizes(openAfterPrune, Files.size(database),
					compactedSize(database, dir.resolve("compacted")));

			out.printf(
					"stage                %,12.0f lines/s  the same lines, each with an id %,12.0f lines/s  ratio %.2f%n",
					stage.plain(), stage.withIds(), stage.ratio());
			out.printf(
					"ingest               %,12.0f rows/s   raw JDBC parse + batched insert %,12.0f rows/s   ratio %.2f%n",
					ingestRate, rawInsert, ingestRate / rawInsert);
			out.printf("compress             %,12.0f rows/s   raw JDBC primary-key scan       %,12.0f rows/s%n",
					compressRate, rawScan);
			out.printf("KV operations        direct %,d · coalescing only %,d · optimum %,d · kvbatch %,d%n",
					workload.operations(), distinctLogical, physicalKeys, sentOps);
			out.printf(
					"KV writes, a day     staged in hourly slices, the optimum: every run %,d · under the rules' bounds %,d%n",
					bounded.everyRun(), bounded.underBounds());
			out.printf("peak heap            %,d MiB live after a full GC, of %,d MiB max%n", heap.peak() >> 20,
					Runtime.getRuntime().maxMemory() >> 20);
			out.printf("H2 file              after compress %s · after prune %s%n", compressFile, pruneFile);
			Targets targets = new Targets();
			targets.atLeast("stage with ids", stage.ratio(), 0.8);
			targets.atLeast("ingest", ingestRate / rawInsert, 0.7);
			targets.atLeast("compress/raw-jdbc", compressRate / rawScan, 0.4);
			targets.atMost("H2 file closed/compacted", Math.max(compressFile.closedRatio(), pruneFile.closedRatio()),
					3.0);
			targets.add("KV = optimum " + ((sentOps == physicalKeys) ? "met"
					: "missed by %,d operations".formatted(sentOps - physicalKeys)));
			if (this.coldRuns > 0) {
				coldStart(out, targets, dir.resolve("cold"));
			}
			out.printf("targets              %s%n", targets);
			out.printf("compress/raw-jdbc: %.2f%n", compressRate / rawScan);
		}
	}

	/**
	 * {@code kvbatch stage} of the workload's lines, without ids and with an id on every
	 * line (each in a data folder of its own, so every id is new), twice each, in turns
	 * so that both see the same machine: the better of each pair.
	 */
	private StageRates stageRates(SeedWorkload workload, Path dir) throws Exception {
		Path plain = workload.writeLines(dir.resolve("plain.jsonl"), false);
		Path ids = workload.writeLines(dir.resolve("ids.jsonl"), true);
		double plainRate = 0;
		double idsRate = 0;
		for (int round = 0; round < 2; round++) {
			plainRate = Math.max(plainRate, stageRate(plain, dir.resolve("plain-" + round)));
			idsRate = Math.max(idsRate, stageRate(ids, dir.resolve("ids-" + round)));
		}
		return new StageRates(plainRate, idsRate);
	}

	private double stageRate(Path input, Path dataDir) throws Exception {
		try (ConfigurableApplicationContext context = this.contexts.staging(dataDir);
				InputStream in = Files.newInputStream(input)) {
			Stager stager = context.getBean(Stager.class);
			long start = System.nanoTime();
			StageSummary summary = stager.stage(List.of(new Stager.Source(input.getFileName().toString(), in)),
					(key) -> {
					}, (rejection) -> {
						throw new IllegalStateException("the bench's own line was refused: " + rejection.message());
					});
			double rate = summary.accepted() / seconds(start);
			if (summary.accepted() != this.ops) {
				throw new IllegalStateException("staged " + summary.accepted() + " of " + this.ops + " lines");
			}
			return rate;
		}
	}

	/** Lines staged per second, without and with ids. */
	private record StageRates(double plain, double withIds) {

		double ratio() {
			return this.withIds / this.plain;
		}

	}

	/**
	 * What a hand-written loader does with the same lines: parse each with Jackson and
	 * insert it into a copy of the outbox table, 1,000 rows per batch, committing every
	 * 10,000.
	 */
	private static double rawInsert(DataSource dataSource, JsonMapper mapper, Path lines) throws Exception {
		try (Connection connection = dataSource.getConnection()) {
			// The outbox's shape, primary key included: a copy made with AS SELECT has
			// none.
			execute(connection, "CREATE TABLE bench_outbox AS SELECT * FROM kv_outbox WITH NO DATA");
			execute(connection, "ALTER TABLE bench_outbox ALTER COLUMN id SET NOT NULL");
			execute(connection, "ALTER TABLE bench_outbox ADD PRIMARY KEY (id)");
			connection.setAutoCommit(false);
			long start = System.nanoTime();
			long rows = 0;
			try (BufferedReader in = Files.newBufferedReader(lines, StandardCharsets.UTF_8);
					PreparedStatement insert = connection.prepareStatement("""
							INSERT INTO bench_outbox (id, op, logical_key, value_json, expires_at, event_at, kind,
							seq, staged_at) VALUES (?, ?, ?, ?, ?, ?, 'C', NULL, ?)""")) {
				long now = System.currentTimeMillis();
				for (String line = in.readLine(); line != null; line = in.readLine()) {
					JsonNode record = mapper.readTree(line);
					JsonNode value = record.get("value");
					insert.setLong(1, ++rows);
					insert.setString(2, record.get("op").asString().equals("put") ? "P" : "D");
					insert.setString(3, record.get("key").asString());
					insert.setString(4, (value != null) ? value.toString() : null);
					insert.setObject(5, record.has("ttl") ? now / 1000 + record.get("ttl").asLong() : null);
					insert.setLong(6, now);
					insert.setLong(7, now);
					insert.addBatch();
					if (rows % 1000 == 0) {
						insert.executeBatch();
					}
					if (rows % 10_000 == 0) {
						connection.commit();
					}
				}
				insert.executeBatch();
				connection.commit();
			}
			double rate = rows / seconds(start);
			connection.setAutoCommit(true);
			execute(connection, "DROP TABLE bench_outbox");
			return rate;
		}
	}

	/**
	 * Reads every outbox row in primary-key order, in keyset pages, touching each column.
	 */
	private static double rawScan(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement page = connection.prepareStatement("""
						SELECT id, op, logical_key, value_json, expires_at, event_at, kind, seq, staged_at
						FROM kv_outbox WHERE id > ? ORDER BY id FETCH FIRST %d ROWS ONLY""".formatted(PAGE))) {
			page.setFetchSize(1000);
			long start = System.nanoTime();
			long rows = 0;
			long last = 0;
			long checksum = 0;
			int inPage;
			do {
				inPage = 0;
				page.setLong(1, last);
				try (ResultSet rs = page.executeQuery()) {
					while (rs.next()) {
						last = rs.getLong(1);
						String value = rs.getString(4);
						checksum += rs.getString(3).length() + ((value != null) ? value.length() : 0) + rs.getLong(6);
						inPage++;
					}
				}
				rows += inPage;
			}
			while (inPage == PAGE);
			return (checksum == 42) ? 0 : rows / seconds(start);
		}
	}

	/**
	 * The workload's operations, in staging order, as if spread over a day in hourly
	 * slices: the optimum with and without the rules' freshness bounds.
	 */
	private static BoundedOptimum boundedOptimum(DataSource dataSource, PackingRules rules, long operations)
			throws SQLException {
		BoundedOptimum optimum = new BoundedOptimum(rules, DAY, operations);
		try (Connection connection = dataSource.getConnection();
				PreparedStatement page = connection.prepareStatement("""
						SELECT id, logical_key, event_at FROM kv_outbox WHERE id > ? ORDER BY id
						FETCH FIRST %d ROWS ONLY""".formatted(PAGE))) {
			long last = 0;
			int inPage;
			do {
				inPage = 0;
				page.setLong(1, last);
				try (ResultSet rs = page.executeQuery()) {
					while (rs.next()) {
						last = rs.getLong(1);
						optimum.add(rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)));
						inPage++;
					}
				}
			}
			while (inPage == PAGE);
		}
		return optimum;
	}

	private ConfigurableApplicationContext context(Path dir) {
		return this.contexts.full(dir, Map.of("kvbatch.target", "local", "kvbatch.retention.outbox", "0s"));
	}

	/**
	 * The size of an H2 file after {@code SHUTDOWN COMPACT} of a copy made in
	 * {@code copy}: the floor the other sizes are compared with.
	 */
	public static long compactedSize(Path file, Path copy) throws Exception {
		Files.createDirectories(copy);
		Files.copy(file, copy.resolve("kvbatch.mv.db"), StandardCopyOption.REPLACE_EXISTING);
		try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("kvbatch"), "sa", "")) {
			execute(connection, "SHUTDOWN COMPACT");
		}
		return Files.size(copy.resolve("kvbatch.mv.db"));
	}

	/** The targets, each met or missed by how much. */
	private static final class Targets {

		private final List<String> results = new ArrayList<>();

		void atLeast(String name, double value, double target) {
			add(String.format("%s %.2f ≥ %.2f %s", name, value, target,
					(value >= target) ? "met" : String.format("missed by %.2f", target - value)));
		}

		void atMost(String name, double value, double target) {
			add(String.format("%s %.2f ≤ %.2f %s", name, value, target,
					(value <= target) ? "met" : String.format("missed by %.2f", value - target)));
		}

		void add(String result) {
			this.results.add(result);
		}

		@Override
		public String toString() {
			return String.join(" · ", this.results);
		}

	}

	/**
	 * The H2 file at the end of a job: while the job's database is still open, as the run
	 * leaves it once closed, and compacted.
	 */
	private record FileSizes(long open, long closed, long compacted) {

		double closedRatio() {
			return (double) this.closed / this.compacted;
		}

		@Override
		public String toString() {
			return String.format("%s open, %s closed, %s compacted (%.1f×)", mib(this.open), mib(this.closed),
					mib(this.compacted), closedRatio());
		}

		private static String mib(long bytes) {
			return String.format("%,.1f MiB", bytes / 1048576.0);
		}

	}

	/**
	 * The cold start a CronJob pays ({@link ColdStart}): plain {@code java -jar} on JDK
	 * 17 beside the start-up caches kvbatch ships, each command in turn, and the targets
	 * of the set-up the launcher prefers.
	 */
	private void coldStart(PrintWriter out, Targets targets, Path dir) throws Exception {
		Optional<Path> bootJar = CdsArchive.bootJar();
		if (bootJar.isEmpty()) {
			out.printf("cold JVM             skipped: start bench from kvbatch.jar (java -jar target/kvbatch.jar, "
					+ "or ./kvbatch) to time it%n");
			return;
		}
		ColdStart.Result cold = ColdStart.prepare(bootJar.get(), dir).time(dir.resolve("runs"), this.coldRuns);
		for (String line : cold.lines()) {
			out.printf("cold JVM             %s%n", line);
		}
		for (ColdStart.Goal goal : cold.goals()) {
			targets.atMost(goal.name(), goal.ratio(), goal.goal());
		}
	}

	private static StepExecution step(JobExecution execution, String name) {
		return execution.getStepExecutions()
			.stream()
			.filter((step) -> step.getStepName().equals(name))
			.findFirst()
			.orElseThrow();
	}

	private static long count(DataSource dataSource, String sql) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private static double seconds(long startNanos) {
		return (System.nanoTime() - startNanos) / 1e9;
	}

	/** A job run and how long it took. */
	private record Timed(JobExecution execution, double seconds) {

		static Timed run(Callable<JobExecution> job) throws Exception {
			long start = System.nanoTime();
			JobExecution execution = job.call();
			return new Timed(execution, Bench.seconds(start));
		}

	}

}
