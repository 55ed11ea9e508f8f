package dev.kvbatch.pack;

import org.jspecify.annotations.Nullable;

/**
 * The compact JSON of a string whose characters need no escaping, made without a JSON
 * writer. A value near KV's 25 MiB limit is most often one such string (a base64 blob, a
 * serialized document), and a JSON writer holds it several times over, in buffers of
 * UTF-16 chars, before it hands back one more copy: in a small heap of the garbage
 * collector's fixed-size regions, those copies are what runs out of room. Here the result
 * is the only copy made.
 * <p>
 * "Needs no escaping" is kept narrow on purpose: printable ASCII but {@code "}, {@code \}
 * and {@code /}. Any other string is left to the JSON writer, which decides how it is
 * written; the text made here is the one that writer gives (a test holds them to it).
 */
public final class PlainJson {

	private PlainJson() {
	}

	/**
	 * The JSON string literal of {@code text}, or {@code null} when a character of it
	 * would need escaping (the caller then writes it with a JSON writer).
	 * @param text the string's content
	 * @return {@code "text"} or {@code null}
	 */
	public static @Nullable String quoted(String text) {
		return isPlain(text, 0, text.length()) ? "\"" + text + "\"" : null;
	}

	/**
	 * Whether {@code json} is a string literal of characters that need no escaping: such
	 * a text is valid JSON, and already the compact text of the value it stands for.
	 * @param json a JSON text
	 * @return {@code true} for {@code "..."} of plain characters only
	 */
	public static boolean isPlainLiteral(String json) {
		int length = json.length();
		return length >= 2 && json.charAt(0) == '"' && json.charAt(length - 1) == '"' && isPlain(json, 1, length - 1);
	}

	/**
	 * Whether the characters of {@code text} from {@code from} to {@code to} need no
	 * escaping in a JSON string.
	 * @param text the text
	 * @param from the first index
	 * @param to the index after the last
	 * @return {@code true} when each is plain
	 */
	public static boolean isPlain(String text, int from, int to) {
		for (int i = from; i < to; i++) {
			char c = text.charAt(i);
			if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '/') {
				return false;
			}
		}
		return true;
	}

}
