package dev.kvbatch.kv;

/**
 * The target did not answer, or answered with a server error (HTTP 5xx, a timeout, a rate
 * limit without a time to wait), and retrying did not help before the retries ran out.
 * Nothing was lost: the call's keys stay dirty, the step fails (exit 1) and a restart, or
 * the next run, sends them again.
 */
public class KvUnavailableException extends KvTargetException {

	public KvUnavailableException(String message) {
		super(message);
	}

	public KvUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
