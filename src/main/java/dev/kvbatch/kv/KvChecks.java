package dev.kvbatch.kv;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PhysicalValue;
import org.jspecify.annotations.Nullable;

/**
 * Checks a call against {@link KvLimits} before it is made, so a target refuses what KV
 * would refuse, with the key and the limit named. Expirations are not refused: a target
 * sends one under 60 s away as KV's minimum TTL (see {@link #storedExpiration}).
 */
public final class KvChecks {

	private KvChecks() {
	}

	/**
	 * Why KV would refuse to store this value, or {@code null} if it would not.
	 * @param value a value to write
	 * @return one line naming the key and the limit it breaks, or {@code null}
	 */
	public static @Nullable String refusal(PhysicalValue value) {
		String key = refusal(value.key());
		if (key != null) {
			return key;
		}
		long bytes = value.byteLength();
		if (bytes > KvLimits.MAX_VALUE_BYTES) {
			return "value of key \"%s\" is %d bytes, over KV's 25 MiB limit".formatted(abbreviate(value.key()), bytes);
		}
		return null;
	}

	/**
	 * Why KV would refuse this key, or {@code null} if it would not.
	 * @param key a key to write, read or delete
	 * @return one line naming the key and the limit it breaks, or {@code null}
	 */
	public static @Nullable String refusal(String key) {
		String problem = KvLimits.keyProblem(key);
		return (problem != null) ? "key \"" + abbreviate(key) + "\" " + problem : null;
	}

	/**
	 * The expiration KV keeps for a key sent with this one: KV refuses expirations under
	 * 60 s away, so such a key is sent with the minimum TTL and lives 60 s from when the
	 * request lands.
	 * @param expiresAt the key's expiration in epoch seconds, {@code null} for never
	 * @param now the time of the request, in epoch seconds
	 * @return the expiration KV keeps, {@code null} for never
	 */
	public static @Nullable Long storedExpiration(@Nullable Long expiresAt, long now) {
		return (expiresAt != null) ? Math.max(expiresAt, now + KvLimits.MIN_TTL_SECONDS) : null;
	}

	public static void key(String key) {
		String problem = refusal(key);
		if (problem != null) {
			throw new KvRejectedException(problem);
		}
	}

	private static String abbreviate(String key) {
		return (key.length() > 40) ? key.substring(0, 40) + "…" : key;
	}

}
