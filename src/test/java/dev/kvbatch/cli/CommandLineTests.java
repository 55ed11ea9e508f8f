package dev.kvbatch.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
	@ValueSource(strings = { "stage", "run", "restart", "stop", "abandon", "recover", "executions", "report",
			"dead-letters", "kv", "demo" })
	void everyCommandHasHelp(String command) {
		CliRun.Result help = new CliRun(this.dataDir).run(command, "--help");

		assertThat(help.exitCode()).isZero();
		assertThat(help.out()).startsWith("Usage: kvbatch " + command);
	}

	@Test
	void topLevelHelpShowsEachCommandsFirstSentenceWhole() {
		CliRun.Result help = new CliRun(this.dataDir).run("--help");

		String commands = help.out().substring(help.out().indexOf("Commands:\n") + 10, help.out().indexOf("\n\n"));
		List<String> rows = new ArrayList<>();
		for (String line : commands.lines().toList()) {
			if (line.startsWith("   ")) {
				rows.set(rows.size() - 1, rows.get(rows.size() - 1) + " " + line.trim());
			}
			else {
				rows.add(line.trim());
			}
		}
		assertThat(rows).hasSizeGreaterThan(10).allSatisfy((row) -> assertThat(row).endsWith("."));
		assertThat(rows).anySatisfy((row) -> assertThat(row).startsWith("dead-letters "));
	}

	@Test
	void unknownJobIsAUsageErrorWithOneLine() {
		CliRun.Result run = new CliRun(this.dataDir).run("run", "compres");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err())
			.isEqualTo("kvbatch: unknown job \"compres\"; jobs: compress, ingest, migrate, prune, usage-report\n");
	}

	@Test
	void badReportDateOrFormatIsAUsageError() {
		CliRun cli = new CliRun(this.dataDir);

		CliRun.Result badParameter = cli.run("run", "usage-report", "date=23/11/2026");
		CliRun.Result badOption = cli.run("report", "--date", "23/11/2026");
		CliRun.Result badFormat = cli.run("report", "--format", "pdf");

		assertThat(badParameter.exitCode()).as(badParameter.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(badParameter.err())
			.isEqualTo("kvbatch: job parameter date must be YYYY-MM-DD, was \"23/11/2026\"\n");
		assertThat(badOption.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(badOption.err()).isEqualTo("kvbatch: --date must be a UTC day as YYYY-MM-DD (e.g. 2026-11-23),"
				+ " today or yesterday, was \"23/11/2026\"\n");
		assertThat(badFormat.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(badFormat.err()).isEqualTo("kvbatch: --format must be text, json, csv or html, was \"pdf\"\n");
	}

	@Test
	void unknownPlanIsAConfigurationError() {
		CliRun.Result run = new CliRun(this.dataDir).run("report", "--kvbatch.plan=pro");

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).startsWith("kvbatch: invalid setting kvbatch");
	}

	@Test
	void mailingWithoutRecipientsIsAUsageError() {
		CliRun.Result run = new CliRun(this.dataDir).run("report", "--email");

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).startsWith("kvbatch: --email needs kvbatch.report.mail.to");
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
		assertThat(run.err()).isEqualTo("kvbatch: unknown option --limt for kvbatch executions (did you mean --limit?)"
				+ " (see kvbatch executions --help)\n");
	}

	@Test
	void missingKeyIsAUsageError() {
		CliRun.Result run = new CliRun(this.dataDir).run("kv", "get", "nope");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err())
			.isEqualTo("kvbatch: no key \"nope\" in the local target; kvbatch kv list shows the keys there\n");
	}

}
