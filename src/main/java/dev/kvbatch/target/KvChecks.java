package dev.kvbatch.target;

import java.time.Instant;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PhysicalValue;

/**
 * Checks a call against {@link KvLimits} before it is made, so a target refuses what KV
 * would refuse, with the key and the limit named.
 */
final class KvChecks {

	private KvChecks() {
	}

	static void key(String key) {
		String problem = KvLimits.keyProblem(key);
		if (problem != null) {
			throw new KvRejectedException("key \"" + abbreviate(key) + "\" " + problem);
		}
	}

	static void value(PhysicalValue value, Instant now) {
		key(value.key());
		long bytes = KvLimits.utf8Length(value.value());
		if (bytes > KvLimits.MAX_VALUE_BYTES) {
			throw new KvRejectedException(
					"value of key \"%s\" is %d bytes, over KV's 25 MiB limit".formatted(value.key(), bytes));
		}
		Long expiration = value.expiresAt();
		if (expiration != null && expiration < now.getEpochSecond() + KvLimits.MIN_TTL_SECONDS) {
			throw new KvRejectedException("expiration %d of key \"%s\" is less than %d seconds away"
				.formatted(expiration, value.key(), KvLimits.MIN_TTL_SECONDS));
		}
	}

	static void bulk(int keys) {
		if (keys > KvLimits.MAX_BULK_KEYS) {
			throw new KvRejectedException("a bulk request takes at most 10,000 keys, was " + keys);
		}
	}

	private static String abbreviate(String key) {
		return (key.length() > 40) ? key.substring(0, 40) + "…" : key;
	}

}
