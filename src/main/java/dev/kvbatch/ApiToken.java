package dev.kvbatch;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the Cloudflare API token as it is read, so that a pasting mistake is one clear
 * line at start-up rather than an HTTP error that prints the token.
 * <ul>
 * <li>Whitespace around it (the trailing newline of a Kubernetes Secret made from a file)
 * is removed, with a warning.</li>
 * <li>Whitespace or a control character inside it, or a token shorter than
 * {@value #MIN_LENGTH} characters, is refused: Cloudflare's API tokens are 40 characters
 * of letters, digits, {@code _} and {@code -}.</li>
 * </ul>
 * No message ever contains the token. Stateless and thread-safe.
 */
public final class ApiToken {

	/**
	 * The shortest token accepted. Cloudflare's are 40 characters; a token this short is
	 * a pasting mistake, and scrubbing it from messages would mangle them.
	 */
	public static final int MIN_LENGTH = 20;

	private static final Logger log = LoggerFactory.getLogger(ApiToken.class);

	private ApiToken() {
	}

	/**
	 * The token to send, or {@code null} when none is set; warns when it trimmed it.
	 * @param raw the setting's value as read
	 * @param setting how to name the setting in messages, e.g.
	 * {@code kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN)}
	 * @throws ConfigurationException if the token cannot be right
	 */
	public static @Nullable String check(@Nullable String raw, String setting) {
		return check(raw, setting, true);
	}

	/**
	 * As {@link #check(String, String)}, for a second reader of the same setting, which
	 * leaves the warning to the first.
	 */
	public static @Nullable String checkQuietly(@Nullable String raw, String setting) {
		return check(raw, setting, false);
	}

	private static @Nullable String check(@Nullable String raw, String setting, boolean warn) {
		if (raw == null || raw.isBlank()) {
			return null;
		}
		SecretScrubber.register(raw);
		String token = raw.strip();
		for (int i = 0; i < token.length(); i++) {
			char c = token.charAt(i);
			if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
				throw new ConfigurationException("%s holds a %s at character %d of %d: paste the token alone"
					.formatted(setting, describe(c), i + 1, token.length()));
			}
		}
		if (token.length() < MIN_LENGTH) {
			String message = "%s is only %d character%s long, and Cloudflare's API tokens have 40: paste the whole token";
			throw new ConfigurationException(
					message.formatted(setting, token.length(), (token.length() == 1) ? "" : "s"));
		}
		if (!token.equals(raw) && warn) {
			log.warn("{} has {} around it; using it without (a Secret made with --from-file keeps the file's"
					+ " newline: use --from-literal, or printf instead of echo)", setting, surrounding(raw));
		}
		return token;
	}

	private static String describe(char c) {
		if (c == '\n' || c == '\r') {
			return "line break";
		}
		if (c == '\t') {
			return "tab";
		}
		return Character.isISOControl(c) ? "control character" : "space";
	}

	private static String surrounding(String raw) {
		boolean lineBreak = raw.chars().anyMatch((c) -> c == '\n' || c == '\r');
		return lineBreak ? "a line break" : "whitespace";
	}

}
