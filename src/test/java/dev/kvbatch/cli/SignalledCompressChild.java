package dev.kvbatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.local.LocalKvTarget;
import dev.kvbatch.kv.MeteredKvTarget;
import dev.kvbatch.metering.Ledger;

import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.awaitility.Awaitility.await;

/**
 * A kvbatch process running {@code run compress} with chunks of 10 whose second bulk put
 * prints {@code BLOCKED} and then holds the chunk open: with {@code until-stopped} until
 * the job repository says the execution is stopping (a SIGTERM reached Spring Batch's
 * shutdown hook), with {@code forever} until a line arrives on its stdin or the process
 * is killed. Started by {@link ShutdownSignalTests} and {@link RunLockTests}.
 */
public final class SignalledCompressChild {

	private SignalledCompressChild() {
	}

	/**
	 * @param args the data folder, {@code until-stopped} or {@code forever}, then further
	 * settings
	 */
	public static void main(String[] args) {
		List<String> command = new ArrayList<>(List.of("run", "compress", "--kvbatch.data-dir=" + args[0],
				"--kvbatch.jobs-dir=" + CliRun.noJobsDir(Path.of(args[0])), "--kvbatch.compress.chunk-size=10",
				"--test.block=" + args[1]));
		command.addAll(Arrays.asList(args).subList(2, args.length));
		System.exit(new Cli(Config.class).run(command.toArray(String[]::new)));
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Config {

		@Bean
		@Primary
		KvTarget blockingTarget(JdbcTemplate jdbc, Clock clock, Ledger ledger, @Value("${test.block}") String block) {
			AtomicInteger puts = new AtomicInteger();
			return new MeteredKvTarget(new ForwardingKvTarget(new LocalKvTarget(jdbc, clock)) {

				@Override
				public List<String> put(List<PhysicalValue> values) {
					if (puts.incrementAndGet() == 2) {
						System.out.println("BLOCKED");
						System.out.flush();
						if ("forever".equals(block)) {
							readLine();
						}
						else {
							long id = StepSynchronizationManager.getContext().getStepExecution().getJobExecutionId();
							// Batch 6's stop() records STOPPED at once; the step
							// reads it back when this chunk commits.
							await().atMost(Duration.ofMinutes(1))
								.until(() -> jdbc.queryForObject(
										"SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ? AND STATUS IN ('STOPPING', 'STOPPED')",
										Integer.class, id) == 1);
						}
					}
					return super.put(values);
				}

			}, ledger);
		}

		private static void readLine() {
			try {
				new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
