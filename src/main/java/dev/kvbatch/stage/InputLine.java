package dev.kvbatch.stage;

import org.jspecify.annotations.Nullable;

/**
 * One line of input as {@link LineReader} read it, without its line break.
 *
 * @param number the 1-based physical line number (blank lines count)
 * @param text the line strictly decoded as UTF-8; when {@code problem} is set, a lenient
 * and possibly shortened decoding that is only good for showing the producer
 * @param problem why the line could not be read as text (not UTF-8, too long), or
 * {@code null} when it could
 */
public record InputLine(long number, String text, @Nullable String problem) {

	/** A line that was read as text. */
	public InputLine(long number, String text) {
		this(number, text, null);
	}

}
