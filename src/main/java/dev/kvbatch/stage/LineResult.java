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
	 * A valid line, normalised.
	 *
	 * @param record the normalised record
	 * @param keyTemplate the key as written, when it held {@code {seq}} and a sequence
	 * value was allocated for it on this call; {@code null} otherwise
	 */
	record Accepted(StagedRecord record, @Nullable String keyTemplate) implements LineResult {

		/** A line whose key was taken as written. */
		public Accepted(StagedRecord record) {
			this(record, null);
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
