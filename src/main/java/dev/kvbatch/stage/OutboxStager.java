package dev.kvbatch.stage;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.kvbatch.metering.StagedTally;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Staging on PostgreSQL: {@code kvbatch stage} and every API replica write the outbox in
 * the database, with no spool folder, so replicas share nothing but the database.
 * <p>
 * A run reads and validates all its input first, holding nothing (a slow producer keeps
 * no transaction open); then one transaction resolves ids ({@link StagedIds}, in input
 * order, with the {@link Resolver} the spool path uses), takes {@code {seq}} values from
 * the database sequence, appends the outbox rows and the dead letters and counts the
 * staged records, under the {@linkplain Outbox#STAGERS_LOCK stagers' lock} in shared
 * mode. All or nothing: a run that fails stages nothing. When two runs race on one id,
 * the loser's transaction is run again ({@link StagedIds.LostRace}; also after a
 * deadlock), and then finds the winner's record: a retry with the winner's key, or a
 * refusal for a different record. The keys are printed only once the transaction has
 * committed.
 * <p>
 * Memory: the run's validated records are held until its commit, so a run is bounded by
 * its input (the API's batches are bounded by {@code kvbatch.api.max-batch-records}).
 * Thread-safe.
 */
public final class OutboxStager implements Staging {

	/** Transactions a run tries before it gives up on races. */
	private static final int ATTEMPTS = 20;

	/** Outbox rows per insert batch. */
	private static final int BATCH = 1000;

	private final RecordValidator validator;

	private final Outbox outbox;

	private final StagedIds ids;

	private final DeadLetters deadLetters;

	private final StagedTally tally;

	private final TransactionTemplate transactions;

	private final Clock clock;

	private final JsonMapper mapper;

	private final Resolver resolver;

	public OutboxStager(RecordValidator validator, Outbox outbox, StagedIds ids, DeadLetters deadLetters,
			StagedTally tally, TransactionTemplate transactions, Clock clock, JsonMapper mapper) {
		this.validator = validator;
		this.outbox = outbox;
		this.ids = ids;
		this.deadLetters = deadLetters;
		this.tally = tally;
		this.transactions = transactions;
		this.clock = clock;
		this.mapper = mapper;
		this.resolver = new Resolver(validator);
	}

	@Override
	public StageSummary stage(List<Stager.Source> sources, Consumer<String> assignedKeyPrinter,
			Consumer<Rejection> rejectionPrinter) throws IOException {
		Instant stagingTime = this.clock.instant();
		List<AcceptedItem> accepted = new ArrayList<>();
		List<Rejection> rejected = new ArrayList<>();
		for (Stager.Source source : sources) {
			LineReader.forEach(source.in(), 0, (line) -> {
				LineResult result = this.validator.validate(source.name(), line, stagingTime);
				if (result instanceof LineResult.Accepted record) {
					accepted.add(new AcceptedItem(source.name(), line.number(), record, this.mapper, false));
				}
				else if (result instanceof LineResult.Rejected refusal) {
					rejected.add(refusal.rejection());
					rejectionPrinter.accept(refusal.rejection());
				}
			});
		}
		if (accepted.isEmpty() && rejected.isEmpty()) {
			return new StageSummary(0, 0, 0, null);
		}
		Committed committed = commit(accepted, rejected, stagingTime);
		committed.keys.forEach(assignedKeyPrinter);
		committed.refused.forEach(rejectionPrinter);
		return new StageSummary(committed.staged, rejected.size() + committed.refused.size(), committed.duplicates,
				null);
	}

	private Committed commit(List<AcceptedItem> lines, List<Rejection> rejected, Instant stagingTime) {
		ConcurrencyFailureException last = null;
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			try {
				Committed committed = this.transactions.execute((status) -> attempt(lines, rejected, stagingTime));
				if (committed == null) {
					throw new IllegalStateException("the staging transaction gave no outcome");
				}
				return committed;
			}
			catch (StagedIds.LostRace ex) {
				// Run again: the winner's row is committed now.
			}
			catch (ConcurrencyFailureException ex) {
				// A deadlock or serialization failure rolled the run back: run it again.
				last = ex;
			}
		}
		throw new ConcurrencyFailureException("kvbatch could not stage the records after " + ATTEMPTS
				+ " attempts: other stagers kept staging the same ids", last);
	}

	private Committed attempt(List<AcceptedItem> lines, List<Rejection> rejected, Instant stagingTime) {
		this.outbox.shareWithCompress();
		Committed committed = new Committed();
		IdempotencyIndex.Session session = this.ids.session(stagingTime);
		SeqValues seq = this.ids.sequence();
		List<StagedRecord> fresh = new ArrayList<>();
		Map<LocalDate, StagedTally.Counts> days = new TreeMap<>();
		try {
			for (AcceptedItem line : lines) {
				StagedRecord record = line.accepted().record();
				if (line.accepted().unresolved()) {
					Resolver.Outcome outcome = this.resolver.resolve(session, seq, line);
					if (outcome instanceof Resolver.Outcome.Retry retry) {
						committed.keys.add(retry.written() + " -> " + retry.key() + " (already staged)");
						committed.duplicates++;
						continue;
					}
					if (outcome instanceof Resolver.Outcome.Refused refused) {
						committed.refused.add(refused.rejection());
						continue;
					}
					Resolver.Outcome.Fresh given = (Resolver.Outcome.Fresh) outcome;
					if (given.key() != null) {
						record = new StagedRecord(record.op(), given.key(), record.valueJson(), record.expiresAt(),
								record.at(), record.id(), record.kind(), given.seq(), record.stagedAt());
						committed.keys.add(line.accepted().keyTemplate() + " -> " + given.key());
					}
				}
				fresh.add(record);
				boolean put = record.op() == Op.PUT;
				boolean upload = record.kind() == Kind.UPLOAD;
				days.merge(LocalDate.ofInstant(record.stagedAt(), ZoneOffset.UTC),
						new StagedTally.Counts(put ? 1 : 0, put ? 0 : 1, upload ? 1 : 0, upload ? 0 : 1),
						StagedTally.Counts::plus);
				if (fresh.size() == BATCH) {
					this.outbox.append(fresh);
					committed.staged += fresh.size();
					fresh.clear();
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("the database index cannot fail on I/O", ex);
		}
		if (!fresh.isEmpty()) {
			this.outbox.append(fresh);
			committed.staged += fresh.size();
		}
		List<Rejection> letters = new ArrayList<>(rejected);
		letters.addAll(committed.refused);
		if (!letters.isEmpty()) {
			this.deadLetters.addAll(letters);
		}
		days.forEach(this.tally::add);
		return committed;
	}

	/** What one committed transaction staged and has to say. */
	private static final class Committed {

		final List<String> keys = new ArrayList<>();

		final List<Rejection> refused = new ArrayList<>();

		long staged;

		long duplicates;

	}

}
