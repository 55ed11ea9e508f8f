package dev.kvbatch.kv;

import dev.kvbatch.metering.Operation;

/**
 * KV refused an operation because the account's daily allowance for that kind of
 * operation is spent (Cloudflare error 10048, or HTTP 429 saying the free limit is
 * reached). Operations of other kinds still work, and this kind works again after the
 * counters reset at 00:00 UTC.
 *
 * <p>
 * Not worth retrying today. The keys of the refused call were not stored (requests of the
 * same call sent before it may have been: KV is last-write-wins, so sending them again is
 * harmless).
 */
public class KvQuotaExceededException extends KvTargetException {

	private final Operation operation;

	public KvQuotaExceededException(Operation operation, String message) {
		super(message);
		this.operation = operation;
	}

	/** The kind of operation whose daily allowance is spent. */
	public Operation operation() {
		return this.operation;
	}

}
