package dev.kvbatch.stage;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;

/**
 * A {@code kvbatch stage} run in its own JVM, started by {@link StageCrashTests}: stages
 * the files given after the data folder (or stdin for {@code -}), printing what the
 * command prints. With a {@link Stager.Checkpoint} name as second argument it prints
 * {@code PAUSED <name>} when its second pass gets there, and waits to be killed.
 */
public final class StageChild {

	private StageChild() {
	}

	public static void main(String[] args) throws IOException {
		Path data = Path.of(args[0]);
		String pauseAt = args[1];
		PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
		Clock clock = Clock.systemUTC();
		JsonMapper mapper = JsonMapper.builder().build();
		Path spool = data.resolve("spool");
		Stager stager = new Stager(new RecordValidator(mapper, KeyPolicy.NONE), new SpoolWriter(spool, mapper, clock),
				clock, new FileIdempotencyIndex(data.resolve("ids"), spool, clock),
				new SeqAllocator(data.resolve("seq")), mapper, (point) -> {
					if (point.equals(pauseAt)) {
						out.println("PAUSED " + point);
						// Killed here; stdin never ends while the test holds it open.
						System.in.read();
						throw new IOException("not killed at " + point);
					}
				});
		List<Stager.Source> sources = new ArrayList<>();
		for (int i = 2; i < args.length; i++) {
			InputStream in = args[i].equals("-") ? System.in : Files.newInputStream(Path.of(args[i]));
			sources.add(new Stager.Source(args[i], in));
		}
		StageSummary summary = stager.stage(sources, out::println,
				(rejection) -> out.println("rejected " + rejection.message()));
		out.printf("staged %d, rejected %d, duplicates %d%n", summary.accepted(), summary.rejected(),
				summary.duplicates());
	}

}
