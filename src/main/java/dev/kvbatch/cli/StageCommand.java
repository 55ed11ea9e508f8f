package dev.kvbatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.kvbatch.stage.StageSummary;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.stage.Staging;
import dev.kvbatch.api.StageClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "stage", mixinStandardHelpOptions = true,
		description = { "Stages records (JSON Lines) from files or stdin for the next compress.",
				"They go into the spool folder, from which the next compress (or ingest) run loads them into the",
				"outbox. Never waits for a running job. Prints the keys assigned to {seq}; a retry of a record",
				"whose id was already staged stages nothing and prints the key it got the first time, e.g.",
				"'a{seq} -> a07 (already staged)'. Rejected lines go to stderr and to the dead letters",
				"(kvbatch dead-letters)." })
class StageCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Parameters(paramLabel = "FILE", arity = "0..*", description = "JSON Lines files; - or none for stdin")
	List<String> files = List.of();

	@Option(names = "--url", paramLabel = "URL",
			description = { "Stage through a kvbatch serve at URL (POST /v1/stage) instead of the local spool",
					"folder; the token is kvbatch.api.token (KVBATCH_API_TOKEN)." })
	String url;

	@Override
	public Integer call() throws IOException {
		PrintWriter out = this.spec.commandLine().getOut();
		PrintWriter err = this.spec.commandLine().getErr();
		if (this.url != null) {
			return stageRemotely(out, err);
		}
		List<Stager.Source> sources = new ArrayList<>();
		try (ConfigurableApplicationContext context = this.parent.contexts.staging()) {
			try {
				for (String file : this.files.isEmpty() ? List.of("-") : this.files) {
					sources.add(new Stager.Source(file, open(file)));
				}
				StageSummary summary = context.getBean(Staging.class)
					.stage(sources, out::println, (rejection) -> err.println("rejected " + rejection.message()));
				out.printf("staged %d, rejected %d, duplicates %d%s%n", summary.accepted(), summary.rejected(),
						summary.duplicates(),
						(summary.spoolFile() != null) ? " (" + summary.spoolFile().getFileName() + ")" : "");
				return ExitCodes.OK;
			}
			finally {
				for (Stager.Source source : sources) {
					source.in().close();
				}
			}
		}
	}

	/** Through a server: its answer, line by line, as a local run prints it. */
	private int stageRemotely(PrintWriter out, PrintWriter err) throws IOException {
		try (ConfigurableApplicationContext context = this.parent.contexts.staging()) {
			StageClient client = new StageClient(this.url, context.getEnvironment().getProperty("kvbatch.api.token"));
			long[] total = new long[3];
			for (String file : this.files.isEmpty() ? List.of("-") : this.files) {
				try (InputStream in = open(file)) {
					long[] counts;
					try {
						counts = client.stage(file, in, out::println,
								(rejection) -> err.println("rejected " + rejection));
					}
					catch (IOException ex) {
						String message = ex.getMessage();
						throw new CommandException(ExitCodes.FAILED,
								(message != null) ? message : "the server could not be reached: " + ex);
					}
					for (int i = 0; i < 3; i++) {
						total[i] += counts[i];
					}
				}
			}
			out.printf("staged %d, rejected %d, duplicates %d (%s)%n", total[0], total[1], total[2], this.url);
			return ExitCodes.OK;
		}
	}

	private static InputStream open(String file) throws IOException {
		if (file.equals("-")) {
			return System.in;
		}
		try {
			return Files.newInputStream(Path.of(file));
		}
		catch (NoSuchFileException ex) {
			throw new CommandException(ExitCodes.USAGE, "no such file: " + file);
		}
	}

}
