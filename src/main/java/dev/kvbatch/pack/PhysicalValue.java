package dev.kvbatch.pack;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.jspecify.annotations.Nullable;

/**
 * The packed value of one physical key: what a target stores.
 *
 * @param key the physical key
 * @param value the value as UTF-8 text or, when {@code base64}, its bytes in base64
 * @param expiresAt absolute expiration in epoch seconds, {@code null} for never
 * @param base64 whether {@code value} is the base64 of raw bytes (a direct key's raw
 * value, see {@link RawBytes}), which KV stores decoded
 */
public record PhysicalValue(String key, String value, @Nullable Long expiresAt, boolean base64) {

	/** A value of UTF-8 text. */
	public PhysicalValue(String key, String value, @Nullable Long expiresAt) {
		this(key, value, expiresAt, false);
	}

	/** The bytes KV stores. */
	public byte[] bytes() {
		return this.base64 ? Base64.getDecoder().decode(this.value) : this.value.getBytes(StandardCharsets.UTF_8);
	}

	/** How many bytes KV stores, counted without copying the value. */
	public long byteLength() {
		return this.base64 ? RawBytes.decodedLength(this.value) : KvLimits.utf8Length(this.value);
	}

}
