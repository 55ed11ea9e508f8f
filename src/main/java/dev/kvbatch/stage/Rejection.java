package dev.kvbatch.stage;

import org.jspecify.annotations.Nullable;

/**
 * A staging line that broke a rule. It goes to the dead-letter table with its source,
 * line number and reason.
 *
 * @param source the file name, or {@code -} for standard input
 * @param line the 1-based line number in the source
 * @param field the offending field, or {@code null} when the line as a whole is bad
 * @param reason why, in words a producer can act on
 * @param raw the line as read, cut to at most {@value RecordValidator#MAX_RAW_CHARS}
 * chars
 */
public record Rejection(String source, long line, @Nullable String field, String reason, String raw) {

	/** {@code source:line: field key: reason}. */
	public String message() {
		return this.source + ":" + this.line + ": " + ((this.field != null) ? "field " + this.field + ": " : "")
				+ this.reason;
	}

}
