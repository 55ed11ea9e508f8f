package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The apply step coalesces the outbox window by window: each logical key is written once
 * per window however often it was staged, and windows, chunks and crashes in between do
 * not change what ends in KV.
 */
class CoalescingApplyIntegrationTests {

	private static final String SMALL_WINDOWS = "--kvbatch.compress.window-keys=7";

	private static final String SMALL_CHUNKS = "--kvbatch.compress.chunk-size=3";

	@TempDir
	Path tmp;

	@Test
	void appliesEachLogicalKeyOnceHoweverOftenItWasStaged() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"));
		stage(cli, workload());

		CliRun.Result run = cli.run("run", "compress");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("apply    read 33, written 33 (the latest of 96 outbox rows)");
		assertThat(cli.run("kv", "get", "album-03").out().trim()).isEqualTo("{\"pass\":2}");
		assertThat(cli.run("kv", "get", "album-04").out()).as("deleted in the last pass").isEmpty();
		assertThat(cli.run("kv", "get", "mobile-batch:dev1").out().trim()).isEqualTo("{\"t1\":2,\"t4\":2,\"t7\":2}");
		assertThat(cli.run("kv", "get", "__counter").out().trim())
			.as("the highest {seq} staged, though its album was deleted in the same window")
			.isEqualTo("3");
	}

	@Test
	void smallWindowsEndInTheSameKvStateAsOneWindow() throws IOException {
		CliRun windowed = new CliRun(this.tmp.resolve("windowed"));
		CliRun whole = new CliRun(this.tmp.resolve("whole"));
		stage(windowed, workload());
		stage(whole, workload());

		CliRun.Result run = windowed.run("run", "compress", SMALL_WINDOWS, SMALL_CHUNKS);

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(the latest of 96 outbox rows)").doesNotContain("read 33,");
		assertThat(whole.run("run", "compress").exitCode()).isZero();
		String expected = whole.run("kv", "list", "--json").out();
		assertThat(expected.lines()).hasSize(22);
		assertThat(windowed.run("kv", "list", "--json").out()).isEqualTo(expected);
	}

	@Test
	void applyCrashedMidWindowRestartsToTheSameKvStateAsACleanRun() throws IOException, SQLException {
		Path crashedData = this.tmp.resolve("crashed");
		CliRun crashed = new CliRun(crashedData);
		CliRun clean = new CliRun(this.tmp.resolve("clean"));
		stage(crashed, workload());
		stage(clean, workload());
		assertThat(crashed.run("executions").exitCode()).isZero();
		CrashingTrigger.install(crashedData, "kv_cursor", 4);

		CliRun.Result crash = crashed.run("run", "compress", SMALL_WINDOWS, SMALL_CHUNKS);

		assertThat(crash.exitCode()).as(crash.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(crash.err()).contains("simulated crash");
		long appliedBeforeCrash = TableRows.count(crashedData, "kv_entry");
		assertThat(appliedBeforeCrash).as("four chunks of three keys committed").isEqualTo(12);
		CrashingTrigger.remove(crashedData, "kv_cursor");

		CliRun.Result restart = crashed.run("restart", "--last", "compress", SMALL_WINDOWS, SMALL_CHUNKS);

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(clean.run("run", "compress").exitCode()).isZero();
		assertThat(crashed.run("kv", "list", "--json").out()).isEqualTo(clean.run("kv", "list", "--json").out())
			.contains("\"__counter\"");
		assertThat(crashed.run("kv", "get", "__counter").out().trim()).isEqualTo("3");
	}

	private void stage(CliRun cli, String lines) throws IOException {
		Path file = Files.writeString(Files.createTempFile(this.tmp, "in", ".jsonl"), lines);
		CliRun.Result staged = cli.run("stage", file.toString());
		assertThat(staged.exitCode()).as(staged.toString()).isZero();
	}

	/**
	 * 96 rows over 33 logical keys: three passes over 20 albums and 10 device-map
	 * entries, every fifth album deleted in the last pass; three uploads, the last one
	 * deleted right after; two albums put once more.
	 */
	private static String workload() {
		List<String> lines = new ArrayList<>();
		for (int pass = 0; pass < 3; pass++) {
			for (int i = 0; i < 20; i++) {
				lines.add((pass == 2 && i % 5 == 4) ? "{\"op\":\"delete\",\"key\":\"album-%02d\"}".formatted(i)
						: "{\"op\":\"put\",\"key\":\"album-%02d\",\"value\":{\"pass\":%d}}".formatted(i, pass));
			}
			for (int i = 0; i < 10; i++) {
				lines.add(
						"{\"op\":\"put\",\"key\":\"mobile-mapping:dev%d:t%d\",\"value\":%d}".formatted(i % 3, i, pass));
			}
		}
		lines.add("{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1,\"kind\":\"upload\"}");
		lines.add("{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":2,\"kind\":\"upload\"}");
		lines.add("{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":3,\"kind\":\"upload\"}");
		lines.add("{\"op\":\"delete\",\"key\":\"a03\"}");
		lines.add("{\"op\":\"put\",\"key\":\"album-00\",\"value\":{\"pass\":2}}");
		lines.add("{\"op\":\"put\",\"key\":\"album-01\",\"value\":{\"pass\":2}}");
		return String.join("\n", lines) + "\n";
	}

}
