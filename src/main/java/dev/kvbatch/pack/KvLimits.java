package dev.kvbatch.pack;

import org.jspecify.annotations.Nullable;

/**
 * Cloudflare Workers KV's limits, in one place: packing checks them so that a bad key or
 * an oversize value fails with a message naming the rule, staging checks them per line,
 * and every target checks them before a call so that the embedded store refuses what KV
 * would.
 */
public final class KvLimits {

	/** A key is at most 512 bytes of UTF-8. */
	public static final int MAX_KEY_BYTES = 512;

	/** A value is at most 25 MiB. */
	public static final int MAX_VALUE_BYTES = 25 * 1024 * 1024;

	/** An expiration is at least 60 seconds away. */
	public static final long MIN_TTL_SECONDS = 60;

	/** A bulk write or delete carries at most 10,000 keys. */
	public static final int MAX_BULK_KEYS = 10_000;

	/** A list page holds at most 1,000 keys. */
	public static final int MAX_LIST_LIMIT = 1000;

	private KvLimits() {
	}

	/**
	 * Why {@code key} cannot be a KV key, or {@code null} if it can.
	 * @param key the candidate key
	 * @return the reason, phrased to follow the key, or {@code null}
	 */
	public static @Nullable String keyProblem(String key) {
		if (key.isEmpty()) {
			return "is empty";
		}
		if (key.equals(".") || key.equals("..")) {
			return "is \"" + key + "\", which KV does not allow";
		}
		long bytes = utf8Length(key);
		if (bytes > MAX_KEY_BYTES) {
			return "is " + bytes + " UTF-8 bytes, over KV's " + MAX_KEY_BYTES + "-byte key limit";
		}
		return null;
	}

	/**
	 * The length of {@code text} encoded as UTF-8, counted without encoding it (a value
	 * can be tens of megabytes). Agrees with {@code text.getBytes(UTF_8).length}, which
	 * writes an unpaired surrogate as one {@code ?} byte.
	 * @param text the text
	 * @return its UTF-8 length in bytes
	 */
	public static long utf8Length(CharSequence text) {
		return utf8Length(text, 1);
	}

	/**
	 * The length of {@code text} encoded as UTF-8, counted without encoding it: the one
	 * count of UTF-8 bytes in kvbatch, for staging, packing, the checks and the meter.
	 * @param text the text
	 * @param unpairedSurrogate what an unpaired surrogate (which UTF-8 cannot encode)
	 * counts as: {@code 1}, the {@code ?} Java writes for it, or {@code -1} to answer
	 * {@code -1} at the first one
	 * @return its UTF-8 length in bytes, or {@code -1}
	 */
	public static long utf8Length(CharSequence text, int unpairedSurrogate) {
		long bytes = 0;
		int length = text.length();
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				bytes += 1;
			}
			else if (c < 0x800) {
				bytes += 2;
			}
			else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
				bytes += 4;
				i++;
			}
			else if (Character.isSurrogate(c)) {
				if (unpairedSurrogate < 0) {
					return -1;
				}
				bytes += unpairedSurrogate;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

}
