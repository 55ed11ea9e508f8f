package dev.kvbatch.stage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code kvbatch stage} use case: validate staging input and write it to the spool
 * folder, without a database, so that a producer never waits for a running job.
 * <p>
 * All lines of one run go into one spool file, committed atomically at the end: a run
 * that fails or dies half-way stages nothing. Idempotency ids are not deduplicated here;
 * the {@code ingest} step does that against the database. Memory does not grow with the
 * number of lines.
 * <p>
 * Thread-safe: concurrent runs write separate spool files.
 */
public final class Stager {

	private final RecordValidator validator;

	private final SpoolWriter writer;

	private final Clock clock;

	/**
	 * @param validator checks and normalises the lines
	 * @param writer writes the spool file
	 * @param clock gives the staging time
	 */
	public Stager(RecordValidator validator, SpoolWriter writer, Clock clock) {
		this.validator = validator;
		this.writer = writer;
		this.clock = clock;
	}

	/**
	 * Stage every line of the sources, in order.
	 * <p>
	 * All records of a run share one staging time, read once at the start, so records
	 * without {@code at} keep their input order even if the clock steps back.
	 * @param sources the inputs; each is read to its end and not closed
	 * @param assignedKeyPrinter receives {@code a{seq} -> a15} for each accepted key that
	 * held {@code {seq}}, as the line is accepted; if the run then fails, those keys were
	 * not staged (and their values are not reused)
	 * @param rejectionPrinter receives each rejection as it happens; rejections are also
	 * written to the spool file as dead letters
	 * @return the counts and the committed spool file (none when no line was read)
	 * @throws IOException if a source cannot be read or the spool file cannot be written;
	 * nothing is committed then
	 */
	public StageSummary stage(List<Source> sources, Consumer<String> assignedKeyPrinter,
			Consumer<Rejection> rejectionPrinter) throws IOException {
		Instant stagingTime = this.clock.instant();
		long[] counts = new long[2];
		try (SpoolWriter.Batch batch = this.writer.open()) {
			for (Source source : sources) {
				LineReader.forEach(source.in(), 0, (line) -> {
					LineResult result = this.validator.validate(source.name(), line, stagingTime);
					if (result instanceof LineResult.Accepted accepted) {
						batch.append(accepted.record());
						counts[0]++;
						if (accepted.keyTemplate() != null) {
							assignedKeyPrinter.accept(accepted.keyTemplate() + " -> " + accepted.record().key());
						}
					}
					else if (result instanceof LineResult.Rejected rejected) {
						batch.append(rejected.rejection());
						counts[1]++;
						rejectionPrinter.accept(rejected.rejection());
					}
				});
			}
			if (batch.lines() == 0) {
				return new StageSummary(0, 0, null);
			}
			return new StageSummary(counts[0], counts[1], batch.commit());
		}
	}

	/**
	 * One input of a stage run.
	 *
	 * @param name the file name shown in rejections, or {@code -} for standard input
	 * @param in the content
	 */
	public record Source(String name, InputStream in) {

		/** The name that stands for standard input. */
		public static final String STDIN = "-";

	}

}
