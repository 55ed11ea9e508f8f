package dev.kvbatch.stage;

import java.io.IOException;
import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Gives the records that still need it their idempotency verdict and their {@code {seq}}
 * value, in input order, within one {@link IdempotencyIndex.Session} and one
 * {@link SeqValues} lease: the one place where a record becomes fresh, a retry or a
 * refusal. Used by a stage run once its input is read, and by the ingest of each batch of
 * a dropped spool file.
 * <p>
 * A retry (same id, same fingerprint) stages nothing and is told the key its first
 * staging got; no sequence value is spent on it. A record whose id was staged with a
 * different record is refused. A fresh record takes the value an earlier attempt at its
 * id already holds, if any, else the next one, which it gives back if its final key is
 * then refused. Not thread-safe.
 */
final class Resolver {

	private final RecordValidator validator;

	Resolver(RecordValidator validator) {
		this.validator = validator;
	}

	/**
	 * Resolve one record.
	 * @param session the index session, or {@code null} if no record of the batch has an
	 * id
	 * @param lease the sequence lease, or {@code null} if no record of the batch has
	 * {@code {seq}}
	 * @param item the record; read only during the call
	 */
	Outcome resolve(IdempotencyIndex.@Nullable Session session, @Nullable SeqValues lease, Item item)
			throws IOException {
		Long kept = null;
		IdKey id = item.id();
		if (id != null) {
			IdempotencyIndex.Lookup lookup = required(session).find(id, item.fingerprint(), item.line());
			if (!(lookup instanceof IdempotencyIndex.Lookup.Fresh fresh)) {
				return outcome(lookup, item);
			}
			kept = fresh.keptSeq();
		}
		if (!item.hasSeq()) {
			if (id != null) {
				required(session).record(id, item.fingerprint(), item.line(), item.knownSeq());
			}
			return Outcome.AS_WRITTEN;
		}
		long seq = (kept != null) ? kept : required(lease).next();
		String digits = RecordValidator.formatSeq(seq);
		String key = key(item.key(), seq);
		RecordValidator.Refusal refusal = this.validator.checkFinalKey(required(item.op()), key, required(item.at()),
				item.value(), digits);
		if (refusal != null) {
			if (kept == null) {
				required(lease).giveBack(seq);
			}
			return refused(item, refusal.field(), refusal.reason());
		}
		if (id != null) {
			required(session).record(id, item.fingerprint(), item.line(), seq);
		}
		return new Outcome.Fresh(key, seq);
	}

	/**
	 * What a lookup of a record's id means when nothing more is to be decided: a retry, a
	 * refusal, or, for a fresh record whose key has no {@code {seq}}, staging it as it is
	 * (its id already recorded, as {@link IdempotencyIndex.Session#resolveAll} does).
	 */
	Outcome outcome(IdempotencyIndex.Lookup lookup, Item item) {
		if (lookup instanceof IdempotencyIndex.Lookup.Staged staged) {
			String written = item.key();
			return new Outcome.Retry(written, item.hasSeq() ? key(written, staged.seq()) : written);
		}
		if (lookup instanceof IdempotencyIndex.Lookup.Conflict) {
			return refused(item, "id", "already staged with a different record; a retry must repeat the record "
					+ "exactly, a new record needs a new id");
		}
		return Outcome.AS_WRITTEN;
	}

	private static Outcome refused(Item item, @Nullable String field, String reason) {
		return new Outcome.Refused(new Rejection(item.source(), item.line(), field, reason, item.raw()));
	}

	/** The key a template got with a value. */
	static String key(String template, @Nullable Long seq) {
		return (seq != null) ? template.replace(RecordValidator.SEQ_PLACEHOLDER, RecordValidator.formatSeq(seq))
				: template;
	}

	private static <T> T required(@Nullable T value) {
		if (value == null) {
			throw new IllegalStateException("a record needs the index or the sequence, which was not opened");
		}
		return value;
	}

	/**
	 * A record to resolve, read by {@link #resolve} only while it runs, so that a caller
	 * may hand it the same instance filled with each record in turn.
	 */
	interface Item {

		/** Where it came from, for a refusal. */
		String source();

		/** Its line there. */
		long line();

		/** Put or delete; needed when {@link #hasSeq()}. */
		@Nullable Op op();

		/**
		 * Its key as written, the template when {@link #hasSeq()}; asked only when
		 * needed.
		 */
		String key();

		/** Whether the key holds {@code {seq}} still to be given its value. */
		boolean hasSeq();

		/** Its id's key, or {@code null} when the index need not be asked. */
		@Nullable IdKey id();

		/** Its fingerprint. */
		long fingerprint();

		/**
		 * The value it already carries (a record of an earlier version's spool file), or
		 * {@code null}.
		 */
		@Nullable Long knownSeq();

		/** Its event time, for the key policy; needed when {@link #hasSeq()}. */
		@Nullable Instant at();

		/** Its value, parsed; asked only by a {@code {seq}} key's policy. */
		@Nullable JsonNode value();

		/** The line as read, cut; asked only for a refusal. */
		String raw();

	}

	/** What became of a record. */
	sealed interface Outcome {

		/** Stage it as it is: its key had no {@code {seq}}. */
		Fresh AS_WRITTEN = new Fresh(null, null);

		/**
		 * Stage it.
		 *
		 * @param key its final key, when {@code {seq}} was replaced (else the key as
		 * written stays)
		 * @param seq the value its {@code {seq}} got, or {@code null}
		 */
		record Fresh(@Nullable String key, @Nullable Long seq) implements Outcome {
		}

		/**
		 * A retry of a staged record: stage nothing.
		 *
		 * @param written its key as written
		 * @param key the key the record was staged with
		 */
		record Retry(String written, String key) implements Outcome {
		}

		/**
		 * Refused.
		 *
		 * @param rejection which line, which field and why
		 */
		record Refused(Rejection rejection) implements Outcome {
		}

	}

}
