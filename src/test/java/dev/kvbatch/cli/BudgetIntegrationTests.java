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
 * The daily budget: no UTC day sees more writes than it allows, the longest-dirty keys go
 * first, and deferred keys are sent when a new day starts. The clock is moved, not waited
 * for.
 */
class BudgetIntegrationTests {

	private static final String DAY_ONE = "--test.now=2026-11-24T10:00:00Z";

	private static final String DAY_ONE_LATER = "--test.now=2026-11-24T23:59:00Z";

	private static final String DAY_TWO = "--test.now=2026-11-25T00:00:01Z";

	@TempDir
	Path tmp;

	@Test
	void defersKeysPastTheDailyWriteCapAndCatchesUpTheNextDay() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);
		String cap = "--kvbatch.budget.writes-per-day=5";
		stage(cli, 0, 8, DAY_ONE);

		CliRun.Result first = cli.run("run", "compress", cap, DAY_ONE);
		CliRun.Result sameDay = cli.run("run", "compress", cap, DAY_ONE_LATER);

		assertThat(first.out()).contains("KV       5 writes").contains("3 deferred by the budget");
		assertThat(sameDay.out()).contains("KV       0 writes").contains("3 deferred by the budget");
		assertThat(keys(cli)).containsExactly("album-0", "album-1", "album-2", "album-3", "album-4");

		stage(cli, 8, 9, DAY_TWO);
		CliRun.Result nextDay = cli.run("run", "compress", cap, DAY_TWO);

		assertThat(nextDay.out()).contains("KV       4 writes").contains("0 deferred by the budget");
		assertThat(keys(cli)).hasSize(9);
	}

	@Test
	void freePlanBudgetIsTheDailyLimitTimesHeadroom() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);
		stage(cli, 0, 12, DAY_ONE);

		CliRun.Result run = cli.run("run", "compress", "--kvbatch.budget.headroom=0.01", DAY_ONE);

		assertThat(run.out()).as("1,000 writes × 0.01").contains("KV       10 writes").contains("2 deferred");
	}

	@Test
	void paidPlanHasNoDailyBudgetUnlessCapped() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), FixedClockConfiguration.class);
		stage(cli, 0, 12, DAY_ONE);

		CliRun.Result run = cli.run("run", "compress", "--kvbatch.plan=paid", "--kvbatch.budget.headroom=0.01",
				DAY_ONE);

		assertThat(run.out()).contains("KV       12 writes").contains("0 deferred");
	}

	private void stage(CliRun cli, int from, int to, String now) throws IOException {
		String lines = IntStream.range(from, to)
			.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"album-%d\",\"value\":%d}".formatted(i, i))
			.collect(Collectors.joining("\n"));
		Path file = Files.writeString(this.tmp.resolve("in-" + from + ".jsonl"), lines);
		assertThat(cli.run("stage", file.toString(), now).exitCode()).isZero();
	}

	private static java.util.List<String> keys(CliRun cli) {
		return cli.run("kv", "list", DAY_ONE_LATER).out().lines().toList();
	}

}
