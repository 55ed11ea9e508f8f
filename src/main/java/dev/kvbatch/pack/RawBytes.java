package dev.kvbatch.pack;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.jspecify.annotations.Nullable;

/**
 * A direct key's raw value: bytes kvbatch writes to KV exactly as they were sent, text or
 * binary, instead of JSON text. Staged, stored and sent as Cloudflare's bulk write
 * carries them: the bytes in standard base64 with a {@code base64} flag. In the staging
 * model (outbox, logical store, spool files) the base64 is held as a JSON string, so that
 * a value column always holds JSON text; {@link #json} and {@link #decodeJson} convert.
 * Base64's alphabet needs no JSON escapes, so the JSON string is the base64 in quotes.
 */
public final class RawBytes {

	private RawBytes() {
	}

	/** The bytes as standard base64, padded. */
	public static String base64(byte[] bytes) {
		return Base64.getEncoder().encodeToString(bytes);
	}

	/** The bytes as a JSON string of their base64: how the staging model holds them. */
	public static String json(byte[] bytes) {
		return "\"" + base64(bytes) + "\"";
	}

	/**
	 * The bytes of a JSON string of base64 ({@link #json}).
	 * @throws IllegalArgumentException if it is not one
	 */
	public static byte[] decodeJson(String json) {
		return Base64.getDecoder().decode(unquote(json));
	}

	/**
	 * The base64 inside a JSON string of base64 ({@link #json}).
	 * @throws IllegalArgumentException if it is not a JSON string
	 */
	public static String unquote(String json) {
		if (json.length() < 2 || json.charAt(0) != '"' || json.charAt(json.length() - 1) != '"') {
			throw new IllegalArgumentException("a raw value is held as a JSON string of base64, got "
					+ ((json.length() > 40) ? json.substring(0, 40) + "…" : json));
		}
		return json.substring(1, json.length() - 1);
	}

	/**
	 * How many bytes a padded or unpadded base64 text decodes to, without decoding it.
	 */
	public static long decodedLength(String base64) {
		int length = base64.length();
		int padding = 0;
		while (padding < 2 && length - padding > 0 && base64.charAt(length - padding - 1) == '=') {
			padding++;
		}
		int chars = length - padding;
		return (chars / 4) * 3L + Math.max(0, (chars % 4) - 1);
	}

	/** The bytes as text, or {@code null} when they are not valid UTF-8. */
	public static @Nullable String utf8(byte[] bytes) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return null;
		}
	}

}
