package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kvbatch.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.context.ConfigurableApplicationContext;

/** {@code kvbatch bench}: the options; the bench itself is {@link Bench}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
		description = { "Generates N seed-shaped staged operations in <data-dir>/bench (emptied first), runs",
				"ingest, compress and prune on them, and prints each rate next to a raw JDBC baseline",
				"measured in the same run on the same H2 file, the KV operations sent against three",
				"baselines, the peak heap, the H2 file size, and cold starts against plain java -jar on JDK 17.",
				"Ends with 'compress/raw-jdbc: <ratio>'. See BENCHMARKS.md." })
class BenchCommand implements Callable<Integer> {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Option(names = "--ops", paramLabel = "N", defaultValue = "100000",
			description = "staged operations to generate (default ${DEFAULT-VALUE})")
	long ops;

	@Option(names = "--cold-runs", paramLabel = "N", defaultValue = "3",
			description = "rounds of cold-JVM commands to time (medians; default ${DEFAULT-VALUE}, 0 to skip)")
	int coldRuns;

	@Override
	public Integer call() throws Exception {
		new Bench(new BenchContexts(this.parent.contexts), this.ops, this.coldRuns)
			.run(this.spec.commandLine().getOut());
		return ExitCodes.OK;
	}

	/** The command line's contexts, as the bench boots them. */
	private record BenchContexts(Contexts contexts) implements Bench.Contexts {

		@Override
		public Path scratch(String name) throws IOException {
			return ScratchDataDir.prepare(this.contexts, name);
		}

		@Override
		public ConfigurableApplicationContext staging(Path dataDir) {
			return this.contexts.with("kvbatch.data-dir", dataDir.toString()).staging();
		}

		@Override
		public ConfigurableApplicationContext full(Path dataDir, Map<String, String> settings) {
			Contexts with = this.contexts.with("kvbatch.data-dir", dataDir.toString());
			for (Map.Entry<String, String> setting : settings.entrySet()) {
				with = with.with(setting.getKey(), setting.getValue());
			}
			return with.full();
		}

	}

}
