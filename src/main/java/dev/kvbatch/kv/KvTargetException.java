package dev.kvbatch.kv;

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

}
