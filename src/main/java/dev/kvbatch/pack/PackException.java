package dev.kvbatch.pack;

import java.util.Objects;

/**
 * A logical key or value that a packing rule cannot place or pack, or a rules file that
 * does not parse. The message names the key (or rules line) and the rule, and says why.
 */
public class PackException extends RuntimeException {

	public PackException(String message) {
		super(message);
	}

	public PackException(String message, Throwable cause) {
		super(message, cause);
	}

	/** The message given at construction: never {@code null}. */
	@Override
	public String getMessage() {
		return Objects.requireNonNull(super.getMessage());
	}

}
