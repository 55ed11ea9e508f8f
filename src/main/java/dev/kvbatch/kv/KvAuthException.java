package dev.kvbatch.kv;

/**
 * The target refused the credentials (HTTP 401 or 403): the API token is wrong, expired,
 * or lacks the permission the call needs, which the message names on one line. A
 * configuration error (exit 2): retrying cannot help until the token is fixed.
 */
public class KvAuthException extends KvTargetException {

	public KvAuthException(String message) {
		super(message);
	}

}
