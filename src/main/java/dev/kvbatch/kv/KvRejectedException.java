package dev.kvbatch.kv;

/**
 * The target refused a key or value for good (a KV limit, a malformed request). Retrying
 * the same call cannot help.
 */
public class KvRejectedException extends KvTargetException {

	public KvRejectedException(String message) {
		super(message);
	}

}
