package dev.kvbatch.stage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An idempotency id as the index keeps it: the first 96 bits of the SHA-256 of its UTF-8
 * bytes. Two distinct ids share a key with a probability of about n²/2⁹⁷ (below 10⁻¹⁴ for
 * 30 million ids), and ids up to 512 bytes fit in a fixed-size slot.
 *
 * @param high the first 64 bits
 * @param low the next 32 bits
 */
public record IdKey(long high, int low) {

	private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(IdKey::sha256);

	/** The key of an idempotency id. */
	public static IdKey of(String id) {
		ByteBuffer digest = ByteBuffer.wrap(SHA_256.get().digest(id.getBytes(StandardCharsets.UTF_8)));
		return new IdKey(digest.getLong(), digest.getInt());
	}

	/** The first 64 bits of the SHA-256 of {@code bytes}. */
	static long digest64(byte[] bytes) {
		return ByteBuffer.wrap(SHA_256.get().digest(bytes)).getLong();
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every Java runtime", ex);
		}
	}

}
