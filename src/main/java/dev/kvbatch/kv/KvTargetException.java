package dev.kvbatch.kv;

import java.util.Objects;

/**
 * Root of what a target call can fail with. Subclasses say whether trying again can help.
 */
public class KvTargetException extends RuntimeException {

	public KvTargetException(String message) {
		super(message);
	}

	public KvTargetException(String message, Throwable cause) {
		super(message, cause);
	}

	/** The message given at construction: never {@code null}. */
	@Override
	public String getMessage() {
		return Objects.requireNonNull(super.getMessage());
	}

}
