package dev.kvbatch.stage;

import org.jspecify.annotations.Nullable;

/**
 * What {@link RecordValidator} made of one staging line. Being a {@link SpoolLine} too,
 * it is also what {@link SpoolReader#parse} returns for every line that is not a dead
 * letter.
 */
public sealed interface LineResult extends SpoolLine
		permits LineResult.Accepted, LineResult.Rejected, LineResult.Blank {

	/** The single {@link Blank} value. */
	Blank BLANK = new Blank();

	/**
	 * The fingerprint that matches any other: a record whose content cannot be compared
	 * (one of an earlier version's spool files).
	 */
	long ANY_RECORD = 0;

	/**
	 * A valid line, normalised.
	 *
	 * @param record the normalised record; while {@code keyTemplate} is set its key is
	 * still the template
	 * @param keyTemplate the key as written, when it holds {@code {seq}} still to be
	 * given its value ({@link Resolver}); {@code null} otherwise
	 * @param idKey the key of the record's id, when the idempotency index must still be
	 * asked about it; {@code null} otherwise
	 * @param fingerprint what tells a retry of the record from another record with its id
	 * (see {@link #ANY_RECORD})
	 * @param raw the line, cut as in a {@link Rejection}, when {@link #unresolved()}; for
	 * a refusal the resolution may still give
	 */
	record Accepted(StagedRecord record, @Nullable String keyTemplate, @Nullable IdKey idKey, long fingerprint,
			@Nullable String raw) implements LineResult {

		/** A line that is final as it is. */
		public Accepted(StagedRecord record) {
			this(record, null, null, ANY_RECORD, null);
		}

		/** Whether a {@code {seq}} or the record's id is still to be resolved. */
		public boolean unresolved() {
			return this.keyTemplate != null || this.idKey != null;
		}

	}

	/**
	 * A line that broke a rule.
	 *
	 * @param rejection which line, which field and why
	 */
	record Rejected(Rejection rejection) implements LineResult {

	}

	/** An empty or all-whitespace line: skipped and not counted. */
	record Blank() implements LineResult {

	}

}
