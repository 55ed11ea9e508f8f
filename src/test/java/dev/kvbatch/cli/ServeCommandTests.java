package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kvbatch.SharedDatabase;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Scheduler;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kvbatch serve} in a real child JVM on a schedule of every second: Quartz, with
 * its tables from the Flyway migrations, fires compress with the scheduled fire time as
 * an identifying parameter, and a SIGTERM ends the process without leaving a run STARTED.
 * The database is an H2 server so that the test can watch it while the child runs.
 */
class ServeCommandTests {

	@TempDir
	Path tmp;

	private Server server;

	private String url;

	@BeforeEach
	void startServer() throws Exception {
		this.server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", this.tmp.toString()).start();
		this.url = "jdbc:h2:tcp://localhost:" + this.server.getPort() + "/kvbatch";
	}

	@AfterEach
	void stopServer() {
		this.server.stop();
	}

	@Test
	void firesCompressOnTheScheduleWithTheFireTimeAndStopsOnSigterm() throws Exception {
		Path jobsDir = Files.createDirectories(this.tmp.resolve("jobs"));
		Files.writeString(jobsDir.resolve("schedules.yaml"), "compress: \"* * * * * ?\"\n");
		CliRun cli = new CliRun(this.tmp.resolve("data"));
		assertThat(cli.run("stage", write("{\"op\":\"put\",\"key\":\"served\",\"value\":1}")).exitCode()).isZero();

		Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), "dev.kvbatch.KvBatchApplication", "serve",
				"--kvbatch.data-dir=" + this.tmp.resolve("data"), "--kvbatch.jobs-dir=" + jobsDir,
				"--spring.datasource.url=" + this.url, "--server.port=0", "--management.server.port=0",
				"--kvbatch.api.write-tokens=serve-test-token-0123")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> count("""
					SELECT COUNT(*) FROM BATCH_JOB_EXECUTION e
					JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
					JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
					WHERE i.JOB_NAME = 'compress' AND e.STATUS = 'COMPLETED'
					AND p.PARAMETER_NAME = 'schedule.at' AND p.IDENTIFYING = 'Y'
					""") > 0);
			assertThat(count("SELECT COUNT(*) FROM QRTZ_CRON_TRIGGERS WHERE CRON_EXPRESSION = '* * * * * ?'"))
				.as("the trigger is in the JDBC job store")
				.isEqualTo(1);
			assertThat(this.tmp.resolve("data").resolve(SharedDatabase.FILE))
				.as("a database of the user's own URL is theirs to share")
				.doesNotExist();

			serve.destroy();
			assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("serve ends after SIGTERM").isTrue();
		}
		finally {
			serve.destroyForcibly();
		}
		assertThat(count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS IN ('STARTED', 'STOPPING')"))
			.as("no run left STARTED")
			.isZero();
		assertThat(cli.run("kv", "list", "--spring.datasource.url=" + this.url).out().lines())
			.containsExactly("served");
	}

	@Test
	void otherCommandsDoNotStartQuartz() {
		Contexts contexts = new Contexts(List.of("--kvbatch.data-dir=" + this.tmp.resolve("data")), new Class<?>[0],
				new Class<?>[0], false);
		try (ConfigurableApplicationContext context = contexts.full()) {
			assertThat(context.getBeanProvider(Scheduler.class).getIfAvailable()).isNull();
		}
	}

	private long count(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(this.url, "sa", "");
				ResultSet rs = connection.createStatement().executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private String write(String content) throws IOException {
		return Files.writeString(this.tmp.resolve("input.jsonl"), content + "\n").toString();
	}

}
