package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compress that fails in the middle of its flush, restarted with
 * {@code kvbatch restart --last compress}, ends with the same KV content as a run that
 * never failed.
 */
class RestartIntegrationTests {

	private static final String SMALL_CHUNKS = "--kvbatch.compress.chunk-size=10";

	@TempDir
	Path tmp;

	@Test
	void restartedCompressEndsInTheSameKvStateAsACleanRun() throws IOException {
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), workload());
		CliRun failing = new CliRun(this.tmp.resolve("failed"), FailingTargetConfiguration.class);
		CliRun restarted = new CliRun(this.tmp.resolve("failed"));
		CliRun clean = new CliRun(this.tmp.resolve("clean"));
		assertThat(failing.run("stage", input.toString()).exitCode()).isZero();
		assertThat(clean.run("stage", input.toString()).exitCode()).isZero();

		CliRun.Result crash = failing.run("run", "compress", SMALL_CHUNKS, "--test.fail-after-keys=25");
		assertThat(crash.exitCode()).as(crash.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(crash.err()).contains("simulated crash of the target", "kvbatch restart 1");
		assertThat(restarted.run("executions").out()).contains("compress   FAILED");
		int keysBeforeRestart = restarted.run("kv", "list").out().lines().toList().size();
		assertThat(keysBeforeRestart).as("two chunks of 10 committed before the crash").isEqualTo(20);

		CliRun.Result restart = restarted.run("restart", "--last", "compress", SMALL_CHUNKS);
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).contains("compress execution 2: COMPLETED", "(45 sent, 0 deleted")
			.contains("KV       45 writes");
		assertThat(restarted.run("executions").out().lines().filter((line) -> line.contains("run.at=")))
			.as("the restart resumes the same instance")
			.hasSize(2)
			.extracting((line) -> line.replaceAll(".*run.at=", ""))
			.containsOnly(restarted.run("executions", "--limit", "1").out().replaceAll("(?s).*run.at=", "").trim());
		assertThat(clean.run("run", "compress", SMALL_CHUNKS).exitCode()).isZero();

		String afterRestart = restarted.run("kv", "list", "--json").out();
		assertThat(afterRestart.lines()).hasSize(65);
		assertThat(afterRestart).isEqualTo(clean.run("kv", "list", "--json").out());
	}

	@Test
	void restartOfACompletedRunIsAUsageError() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"));
		cli.run("run", "compress");

		CliRun.Result restart = cli.run("restart", "--last", "compress");

		assertThat(restart.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(restart.err().trim())
			.isEqualTo("kvbatch: the last compress run (execution 1) is COMPLETED: nothing to restart;"
					+ " start a new run with kvbatch run compress");
	}

	/**
	 * 60 direct keys, 3 device maps and a counter: 64 physical keys, flushed in chunks of
	 * 10.
	 */
	static String workload() {
		String direct = IntStream.range(0, 60)
			.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"album-%02d\",\"value\":{\"n\":%d},\"expiration\":4000000000}"
				.formatted(i, i))
			.collect(Collectors.joining("\n"));
		String maps = IntStream.range(0, 30)
			.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"mobile-mapping:dev%d:task%d\",\"value\":%d}".formatted(i % 3, i,
					i))
			.collect(Collectors.joining("\n"));
		return direct + "\n" + maps + "\n{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1}\n";
	}

}
