package dev.kvbatch.stage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;

import dev.kvbatch.DurableCommits;
import dev.kvbatch.Upserts;
import dev.kvbatch.metering.StagedTally;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

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
 * in the outbox, also after a {@code kill -9}. One that cannot be read goes to
 * {@code spool/failed/}, with a dead letter that says why.
 *
 * <p>
 * Bad lines go to the dead letters with their file, line and reason, one by one. The
 * records of kvbatch's own spool files are final ({@link SpoolFormat}); those of a file a
 * producer dropped are resolved like {@code kvbatch stage}'s, a batch at a time, against
 * the same {@link IdempotencyIndex} and sequence ({@link Resolver}): a retry of a staged
 * id is dropped, a different record with a staged id is refused, a {@code {seq}} gets its
 * value. While a call stores its lines, one background thread reads and validates the
 * next call's lines of the same file, so parsing and writing use a core each; lines are
 * still resolved in file order, by the calling thread. Not thread-safe: one ingest at a
 * time (the database lock sees to that).
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

	private final LegacyIds legacyIds;

	/** Records how far a file is loaded, or that it is. */
	private final String saveProgress;

	private final JdbcClient jdbc;

	private final Clock clock;

	private final IdempotencyIndex index;

	private final SeqAllocator seq;

	private final JsonMapper mapper;

	private final Resolver resolver;

	private final DurableCommits durable;

	/** Reads and validates the next call's lines while the caller stores this call's. */
	private final ExecutorService readAhead = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "kvbatch-ingest-read-ahead");
		thread.setDaemon(true);
		return thread;
	});

	private @Nullable Prefetch next;

	public SpoolIngester(SpoolReader reader, RecordValidator validator, Outbox outbox, DeadLetters deadLetters,
			StagedTally tally, JdbcClient jdbc, Clock clock, IdempotencyIndex index, SeqAllocator seq,
			JsonMapper mapper, DurableCommits durable, LegacyIds legacyIds, Upserts upserts) {
		this.legacyIds = legacyIds;
		Map<String, Upserts.Merge> progress = new LinkedHashMap<>();
		progress.put("lines_done", Upserts.Merge.SET);
		progress.put("complete", Upserts.Merge.SET);
		this.saveProgress = upserts.sql("kv_spool_progress", List.of("file_name"), progress);
		this.reader = reader;
		this.validator = validator;
		this.outbox = outbox;
		this.deadLetters = deadLetters;
		this.tally = tally;
		this.jdbc = jdbc;
		this.clock = clock;
		this.index = index;
		this.seq = seq;
		this.mapper = mapper;
		this.resolver = new Resolver(validator);
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
			OptionalLong owner = SpoolFormat.owner(file);
			if (owner.isPresent()) {
				// Once the file leaves the spool folder, only the index can say that its
				// ids are staged.
				this.index.settle(name, owner.getAsLong());
			}
			// Retention of spool/done counts from ingest, on the same clock as every
			// other retention: the moved file carries the ingest time.
			this.durable.sync();
			Path done = this.reader.moveToDone(file);
			Files.setLastModifiedTime(done, FileTime.from(this.clock.instant()));
			this.jdbc.sql("DELETE FROM kv_spool_progress WHERE file_name = ?").param(name).update();
			return new Batch(0, 0, 0, true);
		}
		Lines lines;
		SpoolFormat.Kind kind;
		long token;
		try {
			if (!Files.isRegularFile(file)) {
				throw new IOException("it is a link to " + Files.readSymbolicLink(file) + ", not a regular file");
			}
			kind = SpoolFormat.kind(file);
			token = token(file);
			lines = take(file, kind, progress.linesDone(), maxLines, maxChars);
		}
		catch (IOException ex) {
			fail(file, progress.linesDone(), ex);
			return new Batch(0, 1, 0, true);
		}
		if (lines.stopped) {
			// The next call's lines are read and validated while this call's are stored,
			// from where this call's stopped in the file; after long lines, by the next
			// call itself.
			LinePosition end = lines.end;
			SpoolFormat.Kind same = kind;
			FutureTask<Lines> nextLines = new FutureTask<>(() -> read(file, same, end, 0, maxLines, maxChars));
			if (lines.chars < maxChars) {
				this.readAhead.execute(nextLines);
			}
			this.next = new Prefetch(file, end.line(), nextLines);
		}
		Stored stored = store(lines, kind, token);
		saveProgress(name, progress.linesDone() + lines.count, !lines.stopped);
		return new Batch(stored.staged(), stored.rejected(), stored.duplicates(), true);
	}

	/**
	 * A file that cannot be read goes to {@code spool/failed/}, with a dead letter and a
	 * log line that say why; what was loaded of it stays.
	 */
	private void fail(Path file, long linesDone, IOException ex) throws IOException {
		String name = file.getFileName().toString();
		String reason = ((linesDone > 0) ? "cannot be read after line " + linesDone : "cannot be read") + " ("
				+ ex.getClass().getSimpleName() + ": " + ex.getMessage() + "); moved to spool/failed";
		log.error("Spool file {} {}", name, reason);
		this.deadLetters.add(new Rejection(name, linesDone + 1, null, reason, ""));
		// The lines loaded from it before are on disk before the file leaves the folder.
		this.durable.sync();
		this.reader.moveToFailed(file);
		this.jdbc.sql("DELETE FROM kv_spool_progress WHERE file_name = ?").param(name).update();
	}

	/**
	 * Resolves what a dropped file's lines still need, then writes the records (less
	 * retries), the rejections and the day tallies.
	 */
	private Stored store(Lines lines, SpoolFormat.Kind kind, long token) throws IOException {
		List<StagedRecord> fresh = new ArrayList<>();
		List<Rejection> rejections = new ArrayList<>(lines.rejections);
		long duplicates = (kind == SpoolFormat.Kind.KVBATCH) ? keep(lines, fresh)
				: resolve(lines, token, fresh, rejections);
		// Ids staged before the index existed were kept in the database.
		Set<String> legacy = legacyIds(fresh);
		if (!legacy.isEmpty()) {
			int before = fresh.size();
			fresh = fresh.stream().filter((record) -> record.id() == null || !legacy.contains(record.id())).toList();
			duplicates += before - fresh.size();
		}
		this.outbox.append(fresh);
		// Rejections in line order, however the lines were split into calls.
		rejections.sort(Comparator.comparingLong(Rejection::line));
		this.deadLetters.addAll(rejections);
		Map<LocalDate, StagedTally.Counts> days = new TreeMap<>();
		for (StagedRecord record : fresh) {
			boolean put = record.op() == Op.PUT;
			boolean upload = record.kind() == Kind.UPLOAD;
			days.merge(LocalDate.ofInstant(record.stagedAt(), ZoneOffset.UTC),
					new StagedTally.Counts(put ? 1 : 0, put ? 0 : 1, upload ? 1 : 0, upload ? 0 : 1),
					StagedTally.Counts::plus);
		}
		days.forEach(this.tally::add);
		return new Stored(fresh.size(), rejections.size(), duplicates);
	}

	private static long keep(Lines lines, List<StagedRecord> fresh) {
		lines.records.forEach((line) -> fresh.add(line.accepted().record()));
		return 0;
	}

	/**
	 * Gives the records that need it their verdict and {@code {seq}}, within one session
	 * of the index and one lease of the sequence; returns the retries.
	 */
	private long resolve(Lines lines, long token, List<StagedRecord> fresh, List<Rejection> rejections)
			throws IOException {
		long ids = lines.records.stream().filter((line) -> line.accepted().idKey() != null).count();
		long seqs = lines.records.stream().filter((line) -> line.accepted().keyTemplate() != null).count();
		if (ids == 0 && seqs == 0) {
			return keep(lines, fresh);
		}
		long duplicates = 0;
		try (IdempotencyIndex.Session session = (ids > 0)
				? this.index.open(new IdempotencyIndex.Owner.DroppedFile(token)) : null;
				SeqAllocator.Lease lease = (seqs > 0) ? this.seq.lease(seqs) : null) {
			if (session != null) {
				session.expect(ids);
			}
			for (Numbered line : lines.records) {
				LineResult.Accepted accepted = line.accepted();
				StagedRecord record = accepted.record();
				if (!accepted.unresolved()) {
					fresh.add(record);
					continue;
				}
				Resolver.Outcome outcome = this.resolver.resolve(session, lease,
						new AcceptedItem(lines.source, line.number(), accepted, this.mapper, true));
				if (outcome instanceof Resolver.Outcome.Fresh resolved) {
					fresh.add((resolved.key() == null) ? record : record.withKey(resolved.key(), resolved.seq()));
				}
				else if (outcome instanceof Resolver.Outcome.Refused refused) {
					rejections.add(refused.rejection());
				}
				else {
					duplicates++;
				}
			}
		}
		return duplicates;
	}

	/** Of the records' ids, those staged before the index existed. */
	private Set<String> legacyIds(List<StagedRecord> records) {
		Set<String> ids = new LinkedHashSet<>();
		records.stream().map(StagedRecord::id).filter((id) -> id != null).forEach(ids::add);
		return this.legacyIds.knownIds(ids);
	}

	/**
	 * What stands for a dropped file in the index: its name, size and modification time,
	 * the same each time the file is read.
	 */
	private static long token(Path file) throws IOException {
		BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
		String identity = file.getFileName() + "\0" + attributes.size() + "\0"
				+ attributes.lastModifiedTime().toInstant() + "\0" + attributes.fileKey();
		long token = IdKey.digest64(identity.getBytes(StandardCharsets.UTF_8));
		return (token != 0) ? token : 1;
	}

	/**
	 * The lines of a file from {@code fromLine} on: those read ahead by the previous call
	 * if it read the same ones, else read now. A read ahead of other lines (left by a
	 * call that rolled back) is waited for and dropped, so one thread validates at a
	 * time.
	 */
	private Lines take(Path file, SpoolFormat.Kind kind, long fromLine, int maxLines, long maxChars)
			throws IOException {
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
				if (ex.getCause() instanceof Error error) {
					// Out of memory, say: the run fails and says so, rather than read
					// the lines again in a heap that may no longer be sound.
					throw error;
				}
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
		return read(file, kind, LinePosition.START, fromLine, maxLines, maxChars);
	}

	/**
	 * Reads up to {@code maxLines} lines from {@code from}, after skipping the first
	 * {@code skipLines} lines of the file.
	 */
	private Lines read(Path file, SpoolFormat.Kind kind, LinePosition from, long skipLines, int maxLines, long maxChars)
			throws IOException {
		Lines lines = new Lines(file.getFileName().toString(), kind, maxLines, maxChars, this.clock.instant());
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
		this.jdbc.sql(this.saveProgress).params(name, linesDone, complete).update();
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

	private record Stored(long staged, long rejected, long duplicates) {
	}

	/** A validated record and its line in the file. */
	private record Numbered(long number, LineResult.Accepted accepted) {
	}

	/** Lines of a file being read ahead, from a line on. */
	private record Prefetch(Path file, long fromLine, FutureTask<Lines> lines) {
	}

	/** Collects the lines of one call, stopping the read after {@code max}. */
	private final class Lines {

		final String source;

		final SpoolFormat.Kind kind;

		final int max;

		final long maxChars;

		final Instant ingestTime;

		final List<Numbered> records = new ArrayList<>();

		final List<Rejection> rejections = new ArrayList<>();

		long count;

		long chars;

		/** Where the lines taken end, for the next call to continue from. */
		LinePosition end = LinePosition.START;

		boolean stopped;

		Lines(String source, SpoolFormat.Kind kind, int max, long maxChars, Instant ingestTime) {
			this.source = source;
			this.kind = kind;
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
					this.ingestTime, this.kind);
			if (parsed instanceof LineResult.Accepted accepted) {
				this.records.add(new Numbered(line.number(), accepted));
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
