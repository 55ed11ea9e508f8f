package dev.kvbatch.stage;

import dev.kvbatch.pack.KvLimits;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * String helpers shared by the staging classes. Stateless and thread-safe.
 */
final class Text {

	private static final int SHOWN_CHARS = 80;

	private Text() {
	}

	/**
	 * The number of bytes {@code text} takes as UTF-8, or {@code -1} when it holds an
	 * unpaired surrogate (which UTF-8 cannot encode, so KV would store something else).
	 */
	static long utf8Length(CharSequence text) {
		return KvLimits.utf8Length(text, -1);
	}

	/**
	 * {@code text} cut to at most {@code maxChars} chars, never between the two halves of
	 * a surrogate pair (a half pair would not survive being written as UTF-8).
	 */
	static String cut(String text, int maxChars) {
		if (text.length() <= maxChars) {
			return text;
		}
		int end = maxChars;
		if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
			end--;
		}
		return text.substring(0, end);
	}

	/** {@code text} with every unpaired surrogate replaced by U+FFFD. */
	static String sanitize(String text) {
		if (utf8Length(text) >= 0) {
			return text;
		}
		StringBuilder clean = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				clean.append(c).append(text.charAt(++i));
			}
			else {
				clean.append(Character.isSurrogate(c) ? '\uFFFD' : c);
			}
		}
		return clean.toString();
	}

	/** A JSON value as a producer would write it, shortened for a message. */
	static String show(JsonNode node) {
		String json = sanitize(node.toString());
		return (json.length() <= SHOWN_CHARS) ? json : cut(json, SHOWN_CHARS) + "…";
	}

	/** A string as a JSON string literal, shortened for a message. */
	static String quote(String text) {
		return show(JsonNodeFactory.instance.stringNode(text));
	}

}
