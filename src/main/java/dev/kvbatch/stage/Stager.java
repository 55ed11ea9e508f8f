package dev.kvbatch.stage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code kvbatch stage} use case: validate staging input and write it to the spool
 * folder, without a database, so that a producer never waits for a running job.
 * <p>
 * All lines of one run go into one spool file, committed atomically at the end: a run
 * that fails or dies half-way stages nothing. It works in two passes:
 * <ol>
 * <li>every line is read, validated and written to the spool file's {@code .tmp}; records
 * with an {@code id} or a {@code {seq}} key are written with room for their final key,
 * and noted in a scratch file. No lock is held, however slowly the input comes;</li>
 * <li>then, holding the {@link IdempotencyIndex idempotency index} and the
 * {@link SeqAllocator sequence} for this pass only, the noted records are resolved in
 * input order ({@link Resolver}): a retry of a staged record is blanked out of the file
 * and reported with the key it got the first time, a record whose id was staged with a
 * different record is refused, a fresh one gets its {@code {seq}} value patched in and
 * its id recorded; then the file is committed and its ids count as staged.</li>
 * </ol>
 * Memory does not grow with the number of lines.
 * <p>
 * Thread-safe: concurrent runs write separate spool files, and their second passes take
 * turns.
 */
public final class Stager implements Staging {

	private final RecordValidator validator;

	private final SpoolWriter writer;

	private final Clock clock;

	private final IdempotencyIndex index;

	private final SeqAllocator seq;

	private final JsonMapper mapper;

	private final Resolver resolver;

	private final Checkpoint checkpoint;

	/** Records the second pass takes at a time: a bound on its memory. */
	private static final int CHUNK = 1 << 16;

	/**
	 * @param validator checks and normalises the lines
	 * @param writer writes the spool file
	 * @param clock gives the staging time
	 * @param index tells retries from fresh records
	 * @param seq gives {@code {seq}} its values
	 * @param mapper reads a {@code {seq}} record's value back for its key policy
	 */
	public Stager(RecordValidator validator, SpoolWriter writer, Clock clock, IdempotencyIndex index, SeqAllocator seq,
			JsonMapper mapper) {
		this(validator, writer, clock, index, seq, mapper, Checkpoint.NONE);
	}

	/** A stage run that reports the steps of its second pass, for tests that kill it. */
	Stager(RecordValidator validator, SpoolWriter writer, Clock clock, IdempotencyIndex index, SeqAllocator seq,
			JsonMapper mapper, Checkpoint checkpoint) {
		this.checkpoint = checkpoint;
		this.validator = validator;
		this.writer = writer;
		this.clock = clock;
		this.index = index;
		this.seq = seq;
		this.mapper = mapper;
		this.resolver = new Resolver(validator);
	}

	/**
	 * Stage every line of the sources, in order.
	 * <p>
	 * All records of a run share one staging time, read once at the start, so records
	 * without {@code at} keep their input order even if the clock steps back.
	 * @param sources the inputs; each is read to its end and not closed
	 * @param assignedKeyPrinter receives {@code a{seq} -> a15} for each staged record
	 * whose key held {@code {seq}}, and {@code a{seq} -> a07 (already staged)} for each
	 * retry of a staged record (with its key as written on the left), in input order,
	 * once the spool file is committed
	 * @param rejectionPrinter receives each rejection; rejections are also written to the
	 * spool file as dead letters
	 * @return the counts and the committed spool file (none when nothing was left to
	 * stage)
	 * @throws IOException if a source cannot be read or the spool file cannot be written;
	 * nothing is committed then
	 */
	@Override
	public StageSummary stage(List<Source> sources, Consumer<String> assignedKeyPrinter,
			Consumer<Rejection> rejectionPrinter) throws IOException {
		Instant stagingTime = this.clock.instant();
		long[] counts = new long[2];
		try (SpoolWriter.Batch batch = this.writer.open();
				DeferredLines deferred = new DeferredLines(scratch(batch, ".deferred.tmp"))) {
			List<String> names = new ArrayList<>();
			for (Source source : sources) {
				int index = names.size();
				names.add(source.name());
				LineReader.forEach(source.in(), 0, (line) -> {
					LineResult result = this.validator.validate(source.name(), line, stagingTime);
					if (result instanceof LineResult.Accepted accepted) {
						if (accepted.unresolved()) {
							deferred.add(batch.appendDeferred(accepted.record(), accepted.keyTemplate() != null),
									accepted, index, line.number());
						}
						else {
							batch.append(accepted.record());
						}
						counts[0]++;
					}
					else if (result instanceof LineResult.Rejected rejected) {
						batch.append(rejected.rejection());
						counts[1]++;
						rejectionPrinter.accept(rejected.rejection());
					}
				});
			}
			if (batch.lines() == 0) {
				return new StageSummary(0, 0, 0, null);
			}
			if (deferred.count() == 0) {
				return new StageSummary(counts[0], counts[1], 0, batch.commit());
			}
			try (Output output = new Output(scratch(batch, ".out.tmp"))) {
				StageSummary summary = resolveAndCommit(batch, deferred, names, counts, output);
				output.replay(assignedKeyPrinter, rejectionPrinter);
				return summary;
			}
		}
	}

	/**
	 * The second pass, holding the index (when a record has an id) and the sequence (when
	 * a key has {@code {seq}}) until the file is committed. Records are taken a chunk at
	 * a time; a chunk without {@code {seq}} keys has its ids resolved at once, which lets
	 * the index visit them in its own order.
	 */
	private StageSummary resolveAndCommit(SpoolWriter.Batch batch, DeferredLines deferred, List<String> names,
			long[] counts, Output output) throws IOException {
		batch.flush();
		Tally tally = new Tally(counts[0], counts[1]);
		try (IdempotencyIndex.Session session = (deferred.withId() > 0)
				? this.index.open(new IdempotencyIndex.Owner.Run(batch.owner(), batch.name())) : null;
				SeqAllocator.Lease lease = (deferred.withSeq() > 0) ? this.seq.lease(deferred.withSeq()) : null) {
			if (session != null) {
				session.expect(deferred.withId());
			}
			this.checkpoint.reached(Checkpoint.HELD);
			DeferredLines.Reader reader = deferred.reader();
			Pending pending = new Pending(batch, names);
			List<DeferredLines.Entry> chunk = new ArrayList<>();
			boolean more = true;
			while (more) {
				chunk.clear();
				boolean withSeq = false;
				while (chunk.size() < CHUNK) {
					DeferredLines.Entry entry = new DeferredLines.Entry();
					if (!reader.next(entry)) {
						more = false;
						break;
					}
					chunk.add(entry);
					withSeq |= entry.hasSeq;
				}
				if (!withSeq && session != null && !chunk.isEmpty()) {
					resolveIds(session, chunk, pending, batch, output, tally);
				}
				else {
					for (DeferredLines.Entry entry : chunk) {
						pending.entry = entry;
						apply(this.resolver.resolve(session, lease, pending), pending, batch, output, tally);
					}
				}
			}
			if (batch.lines() == 0) {
				// Nothing but retries: no file, and nothing for the index to record.
				return new StageSummary(0, tally.rejected, tally.duplicates, null);
			}
			if (session != null) {
				session.prepareCommit();
			}
			this.checkpoint.reached(Checkpoint.PREPARED);
			Path file = batch.commit();
			this.checkpoint.reached(Checkpoint.RENAMED);
			if (session != null) {
				session.committed();
			}
			this.checkpoint.reached(Checkpoint.COMMITTED);
			return new StageSummary(tally.accepted, tally.rejected, tally.duplicates, file);
		}
	}

	/** A chunk of records whose keys have no {@code {seq}}: their ids, all at once. */
	private void resolveIds(IdempotencyIndex.Session session, List<DeferredLines.Entry> chunk, Pending pending,
			SpoolWriter.Batch batch, Output output, Tally tally) throws IOException {
		IdKey[] ids = new IdKey[chunk.size()];
		long[] fingerprints = new long[chunk.size()];
		for (int i = 0; i < ids.length; i++) {
			ids[i] = chunk.get(i).id;
			fingerprints[i] = chunk.get(i).fingerprint;
		}
		IdempotencyIndex.Lookup[] lookups = session.resolveAll(ids, fingerprints);
		for (int i = 0; i < lookups.length; i++) {
			pending.entry = chunk.get(i);
			apply(this.resolver.outcome(lookups[i], pending), pending, batch, output, tally);
		}
	}

	/** Carries out what the resolver decided for one record. */
	private void apply(Resolver.Outcome outcome, Pending line, SpoolWriter.Batch batch, Output output, Tally tally)
			throws IOException {
		if (outcome instanceof Resolver.Outcome.Fresh fresh) {
			if (line.entry.hasSeq) {
				batch.resolveKey(line.entry.line(), Objects.requireNonNull(fresh.seq(), "the {seq} of a fresh key"));
				output.key(line.entry.template + " -> " + fresh.key());
			}
			this.checkpoint.reached(Checkpoint.RESOLVED);
		}
		else if (outcome instanceof Resolver.Outcome.Retry retry) {
			batch.blank(line.entry.line());
			output.key(retry.written() + " -> " + retry.key() + " (already staged)");
			tally.accepted--;
			tally.duplicates++;
		}
		else if (outcome instanceof Resolver.Outcome.Refused refused) {
			batch.blank(line.entry.line());
			batch.append(refused.rejection());
			output.rejection(refused.rejection());
			tally.accepted--;
			tally.rejected++;
		}
	}

	/** The counts of a run, as the second pass changes them. */
	private static final class Tally {

		long accepted;

		long rejected;

		long duplicates;

		Tally(long accepted, long rejected) {
			this.accepted = accepted;
			this.rejected = rejected;
		}

	}

	/**
	 * The record being resolved, read back from the scratch file into the same instance
	 * each time; what the resolver rarely needs is read from the spool file on demand.
	 */
	private final class Pending implements Resolver.Item {

		DeferredLines.Entry entry = new DeferredLines.Entry();

		private final SpoolWriter.Batch batch;

		private final List<String> names;

		Pending(SpoolWriter.Batch batch, List<String> names) {
			this.batch = batch;
			this.names = names;
		}

		@Override
		public String source() {
			return this.names.get(this.entry.source);
		}

		@Override
		public long line() {
			return this.entry.number;
		}

		@Override
		public @Nullable Op op() {
			return this.entry.op;
		}

		@Override
		public String key() {
			if (this.entry.template != null) {
				return this.entry.template;
			}
			try {
				return Stager.this.mapper.readValue(this.batch.readKey(this.entry.line()), String.class);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public boolean hasSeq() {
			return this.entry.hasSeq;
		}

		@Override
		public @Nullable IdKey id() {
			return this.entry.id;
		}

		@Override
		public long fingerprint() {
			return this.entry.fingerprint;
		}

		@Override
		public @Nullable Long knownSeq() {
			return null;
		}

		@Override
		public @Nullable Instant at() {
			return this.entry.at;
		}

		@Override
		public @Nullable JsonNode value() {
			if (this.entry.op != Op.PUT) {
				return null;
			}
			try {
				return Stager.this.mapper.readTree(text()).get("value");
			}
			catch (JacksonException ex) {
				throw new IllegalStateException("kvbatch cannot read back the line it just wrote", ex);
			}
		}

		@Override
		public String raw() {
			return Text.cut(text(), RecordValidator.MAX_RAW_CHARS);
		}

		private String text() {
			try {
				return this.batch.read(this.entry.line());
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	private static Path scratch(SpoolWriter.Batch batch, String suffix) {
		String name = batch.name();
		return batch.tmpFile().resolveSibling(name.substring(0, name.length() - SpoolWriter.SUFFIX.length()) + suffix);
	}

	/**
	 * What the second pass has to say, kept in a scratch file and said only once the
	 * locks are released: a producer that reads the output slowly must not hold up other
	 * stage runs.
	 */
	private static final class Output implements Closeable {

		private static final int KEY = 0;

		private static final int REJECTION = 1;

		private final Path file;

		private final FileChannel channel;

		private final DataOutputStream out;

		Output(Path file) throws IOException {
			this.file = file;
			this.channel = SpoolWriter.openScratch(file);
			this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(this.channel)));
		}

		void key(String line) throws IOException {
			this.out.writeByte(KEY);
			this.out.writeUTF(line);
		}

		void rejection(Rejection rejection) throws IOException {
			this.out.writeByte(REJECTION);
			this.out.writeUTF(rejection.source());
			this.out.writeLong(rejection.line());
			this.out.writeBoolean(rejection.field() != null);
			if (rejection.field() != null) {
				this.out.writeUTF(rejection.field());
			}
			this.out.writeUTF(Text.cut(rejection.reason(), 4000));
			this.out.writeUTF(rejection.raw());
		}

		void replay(Consumer<String> keys, Consumer<Rejection> rejections) throws IOException {
			this.out.flush();
			this.channel.position(0);
			DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(this.channel)));
			while (true) {
				int type;
				try {
					type = in.readByte();
				}
				catch (EOFException ex) {
					return;
				}
				if (type == KEY) {
					keys.accept(in.readUTF());
				}
				else {
					String source = in.readUTF();
					long line = in.readLong();
					String field = in.readBoolean() ? in.readUTF() : null;
					rejections.accept(new Rejection(source, line, field, in.readUTF(), in.readUTF()));
				}
			}
		}

		@Override
		public void close() throws IOException {
			SpoolWriter.dropScratch(this.file, this.channel);
		}

	}

	/**
	 * The steps of the second pass, between giving a record its key and committing it.
	 */
	@FunctionalInterface
	interface Checkpoint {

		/** The index and the sequence are held: the input is read. */
		String HELD = "held";

		/** A fresh record got its key (and its id was recorded). */
		String RESOLVED = "resolved";

		/** Everything recorded in the index is durable. */
		String PREPARED = "prepared";

		/** The spool file is renamed into place. */
		String RENAMED = "renamed";

		/** The index counts the run's ids as staged. */
		String COMMITTED = "committed";

		Checkpoint NONE = (point) -> {
		};

		void reached(String point) throws IOException;

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

		/** Standard input. */
		public static Source stdin() {
			return new Source(STDIN, System.in);
		}

	}

}
