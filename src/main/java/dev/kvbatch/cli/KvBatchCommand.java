package dev.kvbatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "kvbatch", mixinStandardHelpOptions = true, version = "kvbatch 0.1.0",
		description = "Stages logical KV operations and packs them into few physical Cloudflare Workers KV writes.",
		footer = { "", "Settings are Spring Boot properties: --kvbatch.data-dir=DIR (with \"=\"), or",
				"KVBATCH_DATA_DIR in the environment; a mistyped setting is refused.",
				"--debug, on any command, adds the stack trace to a failure's one line.",
				"Exit codes: 0 done, 1 failed (kvbatch restart resumes it), 2 usage or",
				"configuration, 3 locked by another run." },
		subcommands = { StageCommand.class, RunCommand.class, RestartCommand.class, OperatorCommands.Stop.class,
				OperatorCommands.Abandon.class, OperatorCommands.Recover.class, ExecutionsCommand.class,
				ReportCommand.class, DeadLettersCommand.class, BenchCommand.class, KvCommand.class,
				MigrateCommand.class, DemoCommand.class, ServeCommand.class })
class KvBatchCommand implements Runnable {

	final Contexts contexts;

	@Spec
	CommandSpec spec;

	KvBatchCommand(Contexts contexts) {
		this.contexts = contexts;
	}

	@Override
	public void run() {
		this.spec.commandLine().usage(this.spec.commandLine().getErr());
		throw new CommandException(ExitCodes.USAGE, "a command is required");
	}

}
