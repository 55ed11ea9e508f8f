package dev.kvbatch.cli;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Usage, help and exit codes of the command line. */
class CommandLineTests {

	@TempDir
	Path dataDir;

	@ParameterizedTest
	@ValueSource(strings = { "stage", "run", "restart", "stop", "abandon", "recover", "executions", "kv", "demo" })
	void everyCommandHasHelp(String command) {
		CliRun.Result help = new CliRun(this.dataDir).run(command, "--help");

		assertThat(help.exitCode()).isZero();
		assertThat(help.out()).startsWith("Usage: kvbatch " + command);
	}

	@Test
	void unknownJobIsAUsageErrorWithOneLine() {
		CliRun.Result run = new CliRun(this.dataDir).run("run", "compres");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).isEqualTo("kvbatch: unknown job \"compres\"; jobs: compress, ingest, prune\n");
	}

	@Test
	void unknownExecutionIsAUsageError() {
		CliRun.Result run = new CliRun(this.dataDir).run("restart", "42");

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).isEqualTo("kvbatch: no execution with id 42\n");
	}

	@Test
	void missingInputFileIsAUsageError() {
		CliRun.Result run = new CliRun(this.dataDir).run("stage", "no-such-file.jsonl");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).isEqualTo("kvbatch: no such file: no-such-file.jsonl\n");
	}

	@Test
	void badSettingIsAConfigurationError() {
		CliRun.Result run = new CliRun(this.dataDir).run("run", "compress", "--kvbatch.target=memcached");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err())
			.isEqualTo("kvbatch: kvbatch.target must be \"local\" or \"cloudflare\", was \"memcached\"\n");
	}

	@Test
	void unknownOptionIsAUsageError() {
		CliRun.Result run = new CliRun(this.dataDir).run("executions", "--limt", "3");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).contains("Unknown options: '--limt', '3'", "Possible solutions: --limit");
	}

	@Test
	void missingKeyIsReported() {
		CliRun.Result run = new CliRun(this.dataDir).run("kv", "get", "nope");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
		assertThat(run.err()).isEqualTo("kvbatch: key not found: nope\n");
	}

}
