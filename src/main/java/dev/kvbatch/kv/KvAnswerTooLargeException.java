package dev.kvbatch.kv;

/**
 * KV refused a bulk read because its answer would be too large (HTTP 413: the values of
 * one bulk read may total at most 25 MiB). Reading the same keys in smaller requests
 * works; {@link KvReads} does that.
 */
public class KvAnswerTooLargeException extends KvRejectedException {

	public KvAnswerTooLargeException(String message) {
		super(message);
	}

}
