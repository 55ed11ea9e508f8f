package dev.kvbatch.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.MovableClock;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole application on a real H2 file in a temporary folder, the local target and a
 * clock the tests move, booted once for every step test ({@link SharedSteps} keeps it).
 * Steps run alone through {@code spring-batch-test}'s {@link JobOperatorTestUtils}, in a
 * job of its own ({@code TestJob}): so a flush sends every dirty key, as every job but a
 * scheduled compress does.
 */
final class KvBatchSteps implements AutoCloseable {

	/** The clock's start, each test's. */
	static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

	private final Path dataDir;

	private final MovableClock clock = new MovableClock(T0);

	private final ConfigurableApplicationContext context;

	private final JdbcClient jdbc;

	KvBatchSteps() throws IOException {
		this.dataDir = Files.createTempDirectory("kvbatch-steps");
		Path noRules = Files.createDirectories(this.dataDir.resolve("no-jobs-dir"));
		this.context = new SpringApplicationBuilder(KvBatchApplication.class)
			.initializers((context) -> ((GenericApplicationContext) context).registerBean("movedClock",
					java.time.Clock.class, () -> this.clock, (definition) -> definition.setPrimary(true)))
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.registerShutdownHook(false)
			.run("--kvbatch.data-dir=" + this.dataDir.resolve("data"), "--kvbatch.jobs-dir=" + noRules,
					"--kvbatch.target=local");
		this.jdbc = this.context.getBean(JdbcClient.class);
	}

	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	MovableClock clock() {
		return this.clock;
	}

	JdbcClient jdbc() {
		return this.jdbc;
	}

	/** The spool folder ingest reads. */
	Path spool() {
		return this.dataDir.resolve("data").resolve("spool");
	}

	/** Writes a complete spool file, as a producer does. */
	void spoolFile(String name, String lines) {
		try {
			Files.writeString(Files.createDirectories(spool()).resolve(name), lines);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Runs one step of a job alone, with unique identifying parameters plus the given
	 * ones and the given job context, and returns its execution.
	 */
	StepExecution runStep(String job, String step, Map<String, String> parameters, ExecutionContext jobContext) {
		JobOperatorTestUtils steps = new JobOperatorTestUtils(bean(JobOperator.class), bean(JobRepository.class));
		steps.setJob(this.context.getBeansOfType(Job.class)
			.values()
			.stream()
			.filter((candidate) -> candidate.getName().equals(job))
			.findFirst()
			.orElseThrow());
		JobParametersBuilder builder = steps.getUniqueJobParametersBuilder();
		parameters.forEach(builder::addString);
		JobExecution execution = steps.startStep(step, builder.toJobParameters(), jobContext);
		assertThat(execution.getStepExecutions()).hasSize(1);
		return execution.getStepExecutions().iterator().next();
	}

	StepExecution runStep(String job, String step) {
		return runStep(job, step, Map.of(), new ExecutionContext());
	}

	/**
	 * Empties kvbatch's tables (the job locks' rows excepted, which the schema creates)
	 * and the spool folder, and sets the clock back: each test starts from a fresh
	 * install. Spring Batch's tables keep their executions; each run is an instance of
	 * its own.
	 */
	void reset() {
		List<String> tables = this.jdbc.sql("""
				SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES
				WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME LIKE 'KV%' AND TABLE_NAME <> 'KV_JOB_LOCK'""")
			.query(String.class)
			.list();
		tables.forEach((table) -> this.jdbc.sql("DELETE FROM " + table).update());
		deleteTree(spool());
		this.clock.set(T0);
	}

	/** The rows of a query, each as its columns joined by {@code " | "}. */
	List<String> rows(String sql) {
		return this.jdbc.sql(sql).query((rs, row) -> {
			StringBuilder text = new StringBuilder();
			for (int column = 1; column <= rs.getMetaData().getColumnCount(); column++) {
				text.append((column > 1) ? " | " : "").append(rs.getString(column));
			}
			return text.toString();
		}).list();
	}

	@Override
	public void close() {
		this.context.close();
		deleteTree(this.dataDir);
	}

	private static void deleteTree(Path root) {
		if (!Files.exists(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
