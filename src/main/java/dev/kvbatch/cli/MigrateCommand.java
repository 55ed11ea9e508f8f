package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.kvbatch.migrate.MigratedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "migrate", mixinStandardHelpOptions = true,
		description = "After `run migrate`: verify the packed keys, show stats, or unpack (roll back).",
		subcommands = { MigrateCommand.Verify.class, MigrateCommand.Stats.class, MigrateCommand.Unpack.class })
class MigrateCommand implements Runnable {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Override
	public void run() {
		this.spec.commandLine().usage(this.spec.commandLine().getErr());
		throw new CommandException(ExitCodes.USAGE, "migrate needs a subcommand: verify, stats or unpack");
	}

	@Command(name = "verify", mixinStandardHelpOptions = true,
			description = "Compares each migrated key's legacy value with its entry in the packed key; "
					+ "prints mismatches; exit 0 when all match, 1 otherwise.")
	static class Verify implements Callable<Integer> {

		@ParentCommand
		MigrateCommand migrate;

		@Spec
		CommandSpec spec;

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.migrate.parent.contexts.full()) {
				PrintWriter out = this.spec.commandLine().getOut();
				MigratedKeys.Verification result = context.getBean(MigratedKeys.class)
					.verify((line) -> out.println("mismatch " + line));
				out.printf("verified %,d migrated keys: %,d mismatched%n", result.checked(), result.mismatched());
				if (result.stoppedByBudget()) {
					this.spec.commandLine()
						.getErr()
						.println("kvbatch: the day's KV reads are spent before verify ended: run it again tomorrow");
					return ExitCodes.FAILED;
				}
				return (result.mismatched() == 0) ? ExitCodes.OK : ExitCodes.FAILED;
			}
		}

	}

	@Command(name = "stats", mixinStandardHelpOptions = true,
			description = "Per rule: migrated and logical keys, packed keys, bytes, and daily writes before and after"
					+ " packing (if every key changed once a day). Reads the local store only.")
	static class Stats implements Callable<Integer> {

		@ParentCommand
		MigrateCommand migrate;

		@Spec
		CommandSpec spec;

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.migrate.parent.contexts.full()) {
				PrintWriter out = this.spec.commandLine().getOut();
				List<MigratedKeys.RuleStats> stats = context.getBean(MigratedKeys.class).stats();
				out.printf("%-20s %10s %10s %10s %12s %14s %13s%n", "rule", "migrated", "logical", "packed", "bytes",
						"writes/day", "writes/day");
				out.printf("%-20s %10s %10s %10s %12s %14s %13s%n", "", "keys", "keys", "keys", "", "before", "after");
				long logical = 0;
				long packed = 0;
				long migrated = 0;
				for (MigratedKeys.RuleStats rule : stats) {
					out.printf("%-20s %,10d %,10d %,10d %,12d %,14d %,13d%n", rule.rule(), rule.migratedKeys(),
							rule.logicalKeys(), rule.packedKeys(), rule.bytes(), rule.logicalKeys(), rule.packedKeys());
					logical += rule.logicalKeys();
					packed += rule.packedKeys();
					migrated += rule.migratedKeys();
				}
				out.printf("migrate: %,d reads of legacy keys, %,d writes of packed keys%n", migrated, packed);
				out.printf("unpack:  %,d writes of individual keys%n", logical);
				return ExitCodes.OK;
			}
		}

	}

	@Command(name = "unpack", mixinStandardHelpOptions = true,
			description = "The rollback: writes every live map and rollup entry back as an individual key"
					+ " (its logical key, value and expiration), within the day's write budget.")
	static class Unpack implements Callable<Integer> {

		@ParentCommand
		MigrateCommand migrate;

		@Spec
		CommandSpec spec;

		@Option(names = "--after", paramLabel = "KEY", defaultValue = "",
				description = "start after this key, as printed by a run the budget stopped")
		String after;

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.migrate.parent.contexts.full()) {
				PrintWriter out = this.spec.commandLine().getOut();
				MigratedKeys.Unpacked result = context.getBean(MigratedKeys.class).unpack(this.after);
				out.printf("unpacked %,d keys%n", result.written());
				if (result.stoppedAfter() != null) {
					out.printf("the day's KV writes are spent: continue with kvbatch migrate unpack --after '%s'%n",
							result.stoppedAfter());
				}
				if (!result.failed().isEmpty()) {
					this.spec.commandLine()
						.getErr()
						.printf("kvbatch: KV did not store %,d keys (first: %s): run unpack again%n",
								result.failed().size(), result.failed().get(0));
					return ExitCodes.FAILED;
				}
				return ExitCodes.OK;
			}
		}

	}

}
