package dev.kvbatch.stage;

import java.io.IOException;
import java.time.Instant;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Gives the records that still need it their idempotency verdict and their {@code {seq}}
 * value, in input order, within one {@link IdempotencyIndex.Session} and one
 * {@link SeqAllocator.Lease}: the one place where a record becomes fresh, a retry or a
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
	 * @param item the record
	 */
	Outcome resolve(IdempotencyIndex.@Nullable Session session, SeqAllocator.@Nullable Lease lease, Item item)
			throws IOException {
		Long kept = null;
		if (item.id() != null) {
			IdempotencyIndex.Lookup lookup = required(session).find(item.id(), item.fingerprint(), item.line());
			if (lookup instanceof IdempotencyIndex.Lookup.Staged staged) {
				return new Outcome.Retry(item.hasSeq() ? key(item.key(), staged.seq()) : item.key());
			}
			if (lookup instanceof IdempotencyIndex.Lookup.Conflict) {
				return refused(item, "id", "already staged with a different record; a retry must repeat the record "
						+ "exactly, a new record needs a new id");
			}
			kept = ((IdempotencyIndex.Lookup.Fresh) lookup).keptSeq();
		}
		String key = item.key();
		Long seq = item.knownSeq();
		if (item.hasSeq()) {
			seq = (kept != null) ? kept : required(lease).next();
			String digits = RecordValidator.formatSeq(seq);
			key = key(item.key(), seq);
			RecordValidator.Refusal refusal = this.validator.checkFinalKey(item.op(), key, item.at(),
					item.value().get(), digits);
			if (refusal != null) {
				if (kept == null) {
					required(lease).giveBack(seq);
				}
				return refused(item, refusal.field(), refusal.reason());
			}
		}
		if (item.id() != null) {
			required(session).record(item.id(), item.fingerprint(), item.line(), seq);
		}
		return new Outcome.Fresh(key, seq);
	}

	private static Outcome refused(Item item, @Nullable String field, String reason) {
		return new Outcome.Refused(new Rejection(item.source(), item.line(), field, reason, item.raw().get()));
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
	 * A record to resolve.
	 *
	 * @param source where it came from, for a refusal
	 * @param line its line there
	 * @param op put or delete
	 * @param key its key as written: the template when {@code hasSeq}
	 * @param hasSeq whether the key holds {@code {seq}} still to be given its value
	 * @param id its id's key, or {@code null} when the index need not be asked
	 * @param fingerprint its fingerprint
	 * @param knownSeq the value it already carries (a record of an earlier version's
	 * spool file), or {@code null}
	 * @param at its event time, for the key policy
	 * @param value its value, parsed only when a {@code {seq}} key's policy needs it
	 * @param raw the line as read, cut, read only for a refusal
	 */
	record Item(String source, long line, Op op, String key, boolean hasSeq, @Nullable IdKey id, long fingerprint,
			@Nullable Long knownSeq, Instant at, Supplier<@Nullable JsonNode> value, Supplier<String> raw) {
	}

	/** What became of a record. */
	sealed interface Outcome {

		/**
		 * Stage it.
		 *
		 * @param key its final key
		 * @param seq the value its {@code {seq}} got (or it carried), or {@code null}
		 */
		record Fresh(String key, @Nullable Long seq) implements Outcome {
		}

		/**
		 * A retry of a staged record: stage nothing.
		 *
		 * @param key the key the record was staged with
		 */
		record Retry(String key) implements Outcome {
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
