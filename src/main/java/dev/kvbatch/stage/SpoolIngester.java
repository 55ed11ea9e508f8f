package dev.kvbatch.stage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;

import dev.kvbatch.DurableCommits;
import dev.kvbatch.usage.StagedTally;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Loads complete spool files into the outbox, a bounded number of lines per call. The
 * caller runs each call in its own transaction; the lines done so far in a file are
 * recorded in that same transaction ({@code kv_spool_progress}), so a crash never loads a
 * line twice nor skips one. A file is moved to {@code spool/done/} only in the call after
 * the one that committed its last line, and once that commit is on disk
 * ({@link DurableCommits}): a file in {@code spool/done/} is a file whose every line is
 * in the outbox, also after a {@code kill -9}.
 *
 * <p>
 * Bad lines go to the dead letters with their file, line and reason; a record whose
 * idempotency id was already staged is dropped. While a call stores its lines, one
 * background thread reads and validates the next call's lines of the same file, so
 * parsing and writing use a core each; lines are still validated in file order, one
 * thread at a time. Not thread-safe: one ingest at a time (the database lock sees to
 * that).
 */
@Component
public class SpoolIngester implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(SpoolIngester.class);

	private static final String PROGRESS = "SELECT lines_done, complete FROM kv_spool_progress WHERE file_name = ?";

	private final SpoolReader reader;

	private final RecordValidator validator;

	private final Outbox outbox;

	private final DeadLetters deadLetters;

	private final StagedTally tally;

	private final JdbcClient jdbc;

	private final Clock clock;

	private final DurableCommits durable;

	/** Reads and validates the next call's lines while the caller stores this call's. */
	private final ExecutorService readAhead = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "kvbatch-ingest-read-ahead");
		thread.setDaemon(true);
		return thread;
	});

	private @Nullable Prefetch next;

	public SpoolIngester(SpoolReader reader, RecordValidator validator, Outbox outbox, DeadLetters deadLetters,
			StagedTally tally, JdbcClient jdbc, Clock clock, DurableCommits durable) {
		this.reader = reader;
		this.validator = validator;
		this.outbox = outbox;
		this.deadLetters = deadLetters;
		this.tally = tally;
		this.jdbc = jdbc;
		this.clock = clock;
		this.durable = durable;
	}

	/**
	 * The name of the newest complete spool file: a run ingests up to it, later files
	 * wait for the next run.
	 */
	public @Nullable String lastReady() throws IOException {
		List<Path> ready = this.reader.readyFiles();
		return ready.isEmpty() ? null : ready.get(ready.size() - 1).getFileName().toString();
	}

	/**
	 * Loads up to {@code maxLines} lines of the first ready file named up to
	 * {@code upTo}.
	 * @return what was loaded, and whether another call has work
	 */
	public Batch ingestSome(int maxLines, String upTo) throws IOException {
		return ingestSome(maxLines, Long.MAX_VALUE, upTo);
	}

	/**
	 * Loads up to {@code maxLines} lines, and about {@code maxChars} characters of them,
	 * of the first ready file named up to {@code upTo}. A call takes at least one line,
	 * however long; after a call that its characters stopped, the next one's lines are
	 * not read ahead, so one long line at a time is in memory: parsed, a line of a 25 MiB
	 * value takes several times its size while it is validated.
	 * @return what was loaded, and whether another call has work
	 */
	public Batch ingestSome(int maxLines, long maxChars, String upTo) throws IOException {
		Path file = this.reader.readyFiles()
			.stream()
			.filter((ready) -> ready.getFileName().toString().compareTo(upTo) <= 0)
			.findFirst()
			.orElse(null);
		if (file == null) {
			// Every file up to the mark is in done/ or failed/: what progress is left is
			// stale.
			this.jdbc.sql("DELETE FROM kv_spool_progress WHERE complete = TRUE").update();
			return new Batch(0, 0, 0, false);
		}
		String name = file.getFileName().toString();
		Progress progress = this.jdbc.sql(PROGRESS)
			.param(name)
			.query((rs, row) -> new Progress(rs.getLong(1), rs.getBoolean(2)))
			.optional()
			.orElse(new Progress(0, false));
		if (progress.complete()) {
			// Retention of spool/done counts from ingest, on the same clock as every
			// other retention: the moved file carries the ingest time.
			this.durable.sync();
			Path done = this.reader.moveToDone(file);
			Files.setLastModifiedTime(done, FileTime.from(this.clock.instant()));
			this.jdbc.sql("DELETE FROM kv_spool_progress WHERE file_name = ?").param(name).update();
			return new Batch(0, 0, 0, true);
		}
		Lines lines;
		try {
			lines = take(file, progress.linesDone(), maxLines, maxChars);
		}
		catch (IOException ex) {
			log.error("Spool file {} cannot be read after line {}; moved to spool/failed: {}", name,
					progress.linesDone(), ex.getMessage());
			this.durable.sync();
			this.reader.moveToFailed(file);
			this.jdbc.sql("DELETE FROM kv_spool_progress WHERE file_name = ?").param(name).update();
			return new Batch(0, 0, 0, true);
		}
		if (lines.stopped) {
			// The next call's lines are read and validated while this call's are stored,
			// from where this call's stopped in the file; after long lines, by the next
			// call itself.
			LinePosition end = lines.end;
			FutureTask<Lines> nextLines = new FutureTask<>(() -> read(file, end, 0, maxLines, maxChars));
			if (lines.chars < maxChars) {
				this.readAhead.execute(nextLines);
			}
			this.next = new Prefetch(file, end.line(), nextLines);
		}
		int duplicates = store(lines);
		saveProgress(name, progress.linesDone() + lines.count, !lines.stopped);
		return new Batch(lines.records.size() - duplicates, lines.rejections.size(), duplicates, true);
	}

	/**
	 * Writes the records (less duplicate ids), the rejections and the day tallies;
	 * returns the duplicates.
	 */
	private int store(Lines lines) {
		Set<String> ids = new LinkedHashSet<>();
		lines.records.stream().map(StagedRecord::id).filter((id) -> id != null).forEach(ids::add);
		Set<String> seen = new HashSet<>(this.outbox.knownIds(ids));
		List<StagedRecord> fresh = new ArrayList<>();
		for (StagedRecord record : lines.records) {
			if (record.id() == null || seen.add(record.id())) {
				fresh.add(record);
			}
		}
		this.outbox.append(fresh);
		this.outbox.rememberIds(fresh.stream().map(StagedRecord::id).filter((id) -> id != null).toList(),
				lines.ingestTime);
		this.deadLetters.addAll(lines.rejections);
		Map<LocalDate, StagedTally.Counts> days = new TreeMap<>();
		for (StagedRecord record : fresh) {
			boolean put = record.op() == Op.PUT;
			boolean upload = record.kind() == Kind.UPLOAD;
			days.merge(LocalDate.ofInstant(record.stagedAt(), ZoneOffset.UTC),
					new StagedTally.Counts(put ? 1 : 0, put ? 0 : 1, upload ? 1 : 0, upload ? 0 : 1),
					StagedTally.Counts::plus);
		}
		days.forEach(this.tally::add);
		return lines.records.size() - fresh.size();
	}

	/**
	 * The lines of a file from {@code fromLine} on: those read ahead by the previous call
	 * if it read the same ones, else read now. A read ahead of other lines (left by a
	 * call that rolled back) is waited for and dropped, so one thread validates at a
	 * time.
	 */
	private Lines take(Path file, long fromLine, int maxLines, long maxChars) throws IOException {
		Prefetch ahead = this.next;
		this.next = null;
		if (ahead != null) {
			try {
				// Reads them now unless the read-ahead thread has started.
				ahead.lines().run();
				Lines lines = ahead.lines().get();
				if (ahead.file().equals(file) && ahead.fromLine() == fromLine && lines.max == maxLines
						&& lines.maxChars == maxChars) {
					return lines;
				}
			}
			catch (ExecutionException ex) {
				if (ahead.file().equals(file) && ahead.fromLine() == fromLine
						&& ex.getCause() instanceof IOException io) {
					throw io;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("interrupted while reading " + file.getFileName());
			}
		}
		// First call of a run, or after a rollback: where the line is in the file is not
		// known, so the lines before it are read and skipped.
		return read(file, LinePosition.START, fromLine, maxLines, maxChars);
	}

	/**
	 * Reads up to {@code maxLines} lines from {@code from}, after skipping the first
	 * {@code skipLines} lines of the file.
	 */
	private Lines read(Path file, LinePosition from, long skipLines, int maxLines, long maxChars) throws IOException {
		Lines lines = new Lines(file.getFileName().toString(), maxLines, maxChars, this.clock.instant());
		try {
			this.reader.forEachLine(file, from, skipLines, lines::accept);
		}
		catch (Enough ex) {
			// maxLines read; the rest of the file waits for the next call.
		}
		return lines;
	}

	@Override
	public void destroy() {
		this.readAhead.shutdownNow();
	}

	private void saveProgress(String name, long linesDone, boolean complete) {
		int updated = this.jdbc.sql("UPDATE kv_spool_progress SET lines_done = ?, complete = ? WHERE file_name = ?")
			.params(linesDone, complete, name)
			.update();
		if (updated == 0) {
			this.jdbc.sql("INSERT INTO kv_spool_progress (file_name, lines_done, complete) VALUES (?, ?, ?)")
				.params(name, linesDone, complete)
				.update();
		}
	}

	/**
	 * One call's work.
	 *
	 * @param staged records added to the outbox
	 * @param rejected lines dead-lettered
	 * @param duplicates records dropped because their id was already staged
	 * @param more whether another call has work
	 */
	public record Batch(long staged, long rejected, long duplicates, boolean more) {
	}

	private record Progress(long linesDone, boolean complete) {
	}

	/** Lines of a file being read ahead, from a line on. */
	private record Prefetch(Path file, long fromLine, FutureTask<Lines> lines) {
	}

	/** Collects the lines of one call, stopping the read after {@code max}. */
	private final class Lines {

		final String source;

		final int max;

		final long maxChars;

		final Instant ingestTime;

		final List<StagedRecord> records = new ArrayList<>();

		final List<Rejection> rejections = new ArrayList<>();

		long count;

		long chars;

		/** Where the lines taken end, for the next call to continue from. */
		LinePosition end = LinePosition.START;

		boolean stopped;

		Lines(String source, int max, long maxChars, Instant ingestTime) {
			this.source = source;
			this.max = max;
			this.maxChars = maxChars;
			this.ingestTime = ingestTime;
		}

		void accept(InputLine line, LinePosition after) throws Enough {
			if (this.count == this.max || (this.count > 0 && this.chars >= this.maxChars)) {
				this.stopped = true;
				throw new Enough();
			}
			this.count++;
			this.chars += line.text().length();
			this.end = after;
			SpoolLine parsed = SpoolIngester.this.reader.parse(this.source, line, SpoolIngester.this.validator,
					this.ingestTime);
			if (parsed instanceof LineResult.Accepted accepted) {
				this.records.add(accepted.record());
			}
			else if (parsed instanceof LineResult.Rejected rejected) {
				this.rejections.add(rejected.rejection());
			}
			else if (parsed instanceof SpoolLine.DeadLetter deadLetter) {
				this.rejections.add(deadLetter.rejection());
			}
		}

	}

	/** Stops reading a file once a call has its lines. */
	private static final class Enough extends IOException {

		private static final long serialVersionUID = 1L;

		Enough() {
			super("enough lines for this call");
		}

	}

}
