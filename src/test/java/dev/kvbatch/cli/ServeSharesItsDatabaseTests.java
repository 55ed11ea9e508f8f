package dev.kvbatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.kvbatch.SharedDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * While {@code kvbatch serve} runs on the data folder's default H2 database, the other
 * commands, each a process of its own (this test's JVM, or a child), work through it:
 * serve in a real child JVM, on a real H2 file, then {@code run}, {@code restart},
 * {@code executions}, {@code kv get/list} and {@code report} against the same data
 * folder. The run lock still holds across them, and a {@code kill -9} of serve loses
 * nothing and ends a command connected through it with one line.
 */
class ServeSharesItsDatabaseTests {

	private static final String SMALL_CHUNKS = "--kvbatch.compress.chunk-size=10";

	@TempDir
	Path tmp;

	@Test
	void theOtherCommandsWorkThroughServeOnLoopbackOnlyAndOnTheFileOnceItHasStopped() throws Exception {
		CliRun cli = staged();
		CliRun failing = new CliRun(cli.dataDir(), FailingTargetConfiguration.class);
		try (ChildJvm serve = serve(ServeSharesItsDatabaseTests.class, rarely())) {
			// On loopback only, and only under its secret name.
			Path file = cli.dataDir().resolve(SharedDatabase.FILE);
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
			int port = Integer.parseInt(served(cli.dataDir()).getProperty("port"));
			assertThat(serve.output()).contains("database shared with the other commands on 127.0.0.1:" + port);
			List<InetAddress> others = otherAddressesOfThisHost();
			assertThat(others).as("this host has an address besides loopback to try").isNotEmpty();
			for (InetAddress other : others) {
				assertThatThrownBy(() -> {
					try (Socket socket = new Socket()) {
						socket.connect(new InetSocketAddress(other, port), 2000);
					}
				}).as("port %d on %s", port, other).isInstanceOf(ConnectException.class);
			}
			String byPath = "jdbc:h2:tcp://127.0.0.1:" + port + "/" + cli.dataDir().toAbsolutePath().resolve("kvbatch");
			assertThatThrownBy(() -> DriverManager.getConnection(byPath, "sa", "").close())
				.as("the database by its path, not serve's secret name")
				.isInstanceOf(SQLException.class);

			CliRun.Result crash = failing.run("run", "compress", SMALL_CHUNKS, "--test.fail-after-keys=25");
			assertThat(crash.exitCode()).as(crash.toString()).isEqualTo(ExitCodes.FAILED);
			assertThat(crash.err()).contains("simulated crash of the target");

			CliRun.Result restart = cli.run("restart", "--last", "compress", SMALL_CHUNKS);
			assertThat(restart.exitCode()).as(restart.toString()).isZero();
			assertThat(restart.out()).contains("compress execution 2: COMPLETED", "database through kvbatch serve")
				.doesNotContain(served(cli.dataDir()).getProperty("name"));
			CliRun.Result again = cli.run("run", "compress");
			assertThat(again.exitCode()).as(again.toString()).isZero();

			CliRun.Result list = cli.run("kv", "list");
			assertThat(list.exitCode()).as(list.toString()).isZero();
			assertThat(list.out().lines()).hasSize(65).contains("album-07", "mobile-batch:dev1", "__counter");
			CliRun.Result get = cli.run("kv", "get", "album-07");
			assertThat(get.exitCode()).as(get.toString()).isZero();
			assertThat(get.out()).isEqualTo("{\"n\":7}\n");
			CliRun.Result executions = cli.run("executions", "--job", "compress");
			assertThat(executions.exitCode()).as(executions.toString()).isZero();
			assertThat(executions.out()).contains("compress   FAILED", "compress   COMPLETED");
			CliRun.Result report = cli.run("report", "--date", "today");
			assertThat(report.exitCode()).as(report.toString()).isZero();
			assertThat(report.out()).contains("kvbatch usage report for", "jobs that ran that day: ", " 1 failed");
			assertThat(serve.isAlive()).as(serve.output()).isTrue();

			serve.terminate();
			serve.waitFor();
		}
		assertThat(cli.dataDir().resolve(SharedDatabase.FILE)).as("serve removes its file when it stops")
			.doesNotExist();
		CliRun.Result onTheFile = cli.run("kv", "list");
		assertThat(onTheFile.exitCode()).as(onTheFile.toString()).isZero();
		assertThat(onTheFile.out().lines()).hasSize(65);
		assertThat(onTheFile.out()).doesNotContain("through kvbatch serve");
	}

	@Test
	void aRunWhileServesOwnCompressHoldsTheLockExitsThreeAndAKilledServeLosesNothing() throws Exception {
		CliRun cli = staged();
		Path jobs = Files.createDirectories(this.tmp.resolve("every-second"));
		Files.writeString(jobs.resolve("schedules.yaml"), "compress: \"* * * * * ?\"\n");
		try (ChildJvm serve = serve(BlockingServeChild.class, jobs, SMALL_CHUNKS, "--test.block=forever")) {
			await().atMost(Duration.ofMinutes(2)).until(() -> serve.output().contains("BLOCKED") || !serve.isAlive());
			assertThat(serve.output()).contains("BLOCKED");

			CliRun.Result second = cli.run("run", "compress");
			assertThat(second.exitCode()).as(second.toString()).isEqualTo(ExitCodes.LOCKED);
			assertThat(second.err())
				.isEqualTo("kvbatch: another compress run holds the lock; try again when it has finished\n");
			CliRun.Result prune = cli.run("run", "prune", "dry-run=true");
			assertThat(prune.exitCode()).as("another job runs: " + prune).isZero();

			serve.kill();
		}
		assertThat(cli.dataDir().resolve(SharedDatabase.FILE)).as("a killed serve leaves its file").exists();

		CliRun.Result restart = cli.run("restart", "--last", "compress", SMALL_CHUNKS);
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).doesNotContain("through kvbatch serve");
		// The scheduled run defers what its freshness bounds let wait for its next fire.
		assertThat(cli.run("run", "compress").exitCode()).isZero();
		assertThat(cli.run("kv", "list").out().lines()).hasSize(65);
	}

	@Test
	void aCommandWhoseServeIsKilledEndsWithOneLineAndTheStagedDataIsIntact() throws Exception {
		CliRun cli = staged();
		Path childErr = this.tmp.resolve("child.err");
		Process child;
		try (ChildJvm serve = serve(ServeSharesItsDatabaseTests.class, rarely())) {
			child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
					System.getProperty("java.class.path"), SignalledCompressChild.class.getName(),
					cli.dataDir().toString(), "forever")
				.redirectError(childErr.toFile())
				.start();
			try {
				InputStream childOut = child.getInputStream();
				assertThat(new String(childOut.readNBytes("BLOCKED".length()), StandardCharsets.UTF_8))
					.as("the command is in its flush, through serve: %s", Files.readString(childErr))
					.isEqualTo("BLOCKED");

				serve.kill();

				OutputStream release = child.getOutputStream();
				release.write("go\n".getBytes(StandardCharsets.UTF_8));
				release.flush();
				assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
				String err = Files.readString(childErr);
				assertThat(child.exitValue()).as(err).isEqualTo(ExitCodes.FAILED);
				assertThat(err).startsWith("kvbatch: lost the database while the command ran: the kvbatch serve")
					.hasLineCount(1);
			}
			finally {
				child.destroyForcibly();
			}
		}

		CliRun.Result restart = cli.run("restart", "--last", "compress", SMALL_CHUNKS);
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(cli.run("kv", "list").out().lines()).as("everything staged before serve was killed").hasSize(65);
		assertThat(cli.run("kv", "get", "album-59").out()).isEqualTo("{\"n\":59}\n");
	}

	/**
	 * A data folder with the workload of 91 records (65 keys) staged; no database yet.
	 */
	private CliRun staged() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"));
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), RestartIntegrationTests.workload());
		CliRun.Result stage = cli.run("stage", input.toString());
		assertThat(stage.exitCode()).as(stage.toString()).isZero();
		return cli;
	}

	/** A jobs folder whose schedule fires nothing while the test runs. */
	private Path rarely() throws IOException {
		Path jobs = Files.createDirectories(this.tmp.resolve("rarely"));
		Files.writeString(jobs.resolve("schedules.yaml"), "prune: \"0 0 0 1 1 ? 2099\"\n");
		return jobs;
	}

	/**
	 * {@code kvbatch serve} in a child JVM on the data folder's default database, once it
	 * shares it; {@code main} is {@link dev.kvbatch.KvBatchApplication}'s when it is this
	 * class.
	 */
	private ChildJvm serve(Class<?> main, Path jobs, String... settings) {
		List<String> args = new ArrayList<>(List.of("serve", "--kvbatch.data-dir=" + this.tmp.resolve("data"),
				"--kvbatch.jobs-dir=" + jobs, "--server.port=0", "--management.server.port=0",
				"--kvbatch.api.write-tokens=serve-test-token-0123"));
		args.addAll(List.of(settings));
		Path log = this.tmp.resolve("serve-" + System.nanoTime() + ".log");
		ChildJvm serve = (main == ServeSharesItsDatabaseTests.class)
				? ChildJvm.start(log, List.of(), args.toArray(String[]::new))
				: ChildJvm.startMain(log, List.of(), main.getName(), args.toArray(String[]::new));
		await().atMost(Duration.ofMinutes(2))
			.until(() -> serve.output().contains("database shared with the other commands") || !serve.isAlive());
		assertThat(serve.isAlive()).as(serve.output()).isTrue();
		return serve;
	}

	private static Properties served(Path dataDir) throws IOException {
		Properties served = new Properties();
		try (InputStream in = Files.newInputStream(dataDir.resolve(SharedDatabase.FILE))) {
			served.load(in);
		}
		return served;
	}

	private static List<InetAddress> otherAddressesOfThisHost() throws IOException {
		List<InetAddress> others = new ArrayList<>();
		for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
			if (network.isUp() && !network.isLoopback()) {
				for (InetAddress address : Collections.list(network.getInetAddresses())) {
					if (address instanceof Inet4Address) {
						others.add(address);
					}
				}
			}
		}
		return others;
	}

}
