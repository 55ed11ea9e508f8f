package dev.kvbatch.kv;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.pack.RawBytes;
import org.jspecify.annotations.Nullable;

/**
 * The KV port: a namespace that stores physical keys. Implementations enforce KV's limits
 * ({@link KvLimits}) before anything is sent, so a local run refuses what Cloudflare
 * would.
 *
 * <p>
 * Failures are {@link KvTargetException}s: {@link KvRejectedException} (refused for
 * good), {@link KvUnavailableException} (retries ran out: fail the step, restart later),
 * {@link KvQuotaExceededException} (the day's allowance of one operation kind is spent)
 * and {@link KvAuthException} (the credentials are wrong: a configuration error).
 *
 * <p>
 * Bulk calls are idempotent: KV is last-write-wins, so sending the same values twice
 * leaves the same state. A call may succeed for some keys only; the keys it could not
 * store are returned and stay the caller's to retry. Keys refused for good (a limit, or a
 * refusal by KV) are reported by {@link KvItemsRefusedException} once the rest of the
 * call has been carried out.
 */
public interface KvTarget {

	/** {@code local} or {@code cloudflare}, as in the ledger. */
	String name();

	/** How this target splits calls into requests, and the largest call it takes. */
	RequestLimits limits();

	/**
	 * Stores the values, overwriting values and expirations. An expiration under KV's 60
	 * s minimum is kept as that minimum.
	 * @return the keys that were not stored
	 * @throws KvItemsRefusedException if some keys were refused for good
	 */
	List<String> put(List<PhysicalValue> values);

	/**
	 * Deletes the keys; a missing key counts as deleted.
	 * @return the keys that were not deleted
	 * @throws KvItemsRefusedException if some keys were refused for good
	 */
	List<String> delete(List<String> keys);

	/** The live value of a key, if any (an expired key has none). */
	Optional<StoredValue> get(String key);

	/**
	 * The live values of several keys, in the order asked; keys with no live value are
	 * left out. Billed as one read per key. This default reads the keys one by one;
	 * targets with a bulk read override it.
	 * @param keys the keys, any number (a remote target splits them into requests)
	 */
	default List<StoredValue> bulkGet(List<String> keys) {
		return keys.stream().map(this::get).flatMap(Optional::stream).toList();
	}

	/**
	 * One page of live keys in UTF-8 byte order, without their values (as KV lists them;
	 * {@link #bulkGet} reads the values). A page may be empty before the last one; the
	 * last page has no cursor.
	 * @param prefix only keys starting with it ({@code ""} for all)
	 * @param cursor the previous page's cursor, or {@code null} for the first page
	 * @param limit at most this many keys, 1 to 1000 (Cloudflare raises a limit under 10
	 * to 10)
	 */
	ListPage list(String prefix, @Nullable String cursor, int limit);

	/**
	 * A stored value with its expiration in epoch seconds ({@code null} for never).
	 *
	 * @param value the value as text or, when {@code base64}, the base64 of its bytes
	 * @param base64 whether the value is bytes that are not UTF-8 text (a target reads a
	 * value as text when its bytes are UTF-8), or a value written as raw bytes
	 */
	record StoredValue(String key, String value, @Nullable Long expiration, boolean base64) {

		/** A value of text. */
		public StoredValue(String key, String value, @Nullable Long expiration) {
			this(key, value, expiration, false);
		}

		/** A value read as bytes: text when they are UTF-8, else their base64. */
		public static StoredValue ofBytes(String key, byte[] bytes, @Nullable Long expiration) {
			String text = RawBytes.utf8(bytes);
			return (text != null) ? new StoredValue(key, text, expiration)
					: new StoredValue(key, RawBytes.base64(bytes), expiration, true);
		}

		/** The bytes KV holds. */
		public byte[] bytes() {
			return this.base64 ? Base64.getDecoder().decode(this.value) : this.value.getBytes(StandardCharsets.UTF_8);
		}

	}

	/** A listed key with its expiration in epoch seconds ({@code null} for never). */
	record ListedKey(String key, @Nullable Long expiration) {
	}

	/** A page of keys; {@code cursor} is {@code null} on the last page. */
	record ListPage(List<ListedKey> keys, @Nullable String cursor) {
	}

}
