package dev.kvbatch;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

/**
 * The one place that takes secrets out of text bound for a log, an error line, a report
 * or a mail: every occurrence of a registered secret becomes {@value #MASK}.
 * <p>
 * Secrets are registered as soon as a context's settings are known (see
 * {@link SettingsCheck}), before anything can fail or log with them, and stay registered
 * for the life of the JVM: text a process prints after its context is gone (the CLI's
 * last line) is scrubbed too. A secret is registered only if it is at least
 * {@value #MIN_LENGTH} characters long, so scrubbing never mangles ordinary words; the
 * API token is refused at start-up when shorter (see {@link ApiToken}). Thread-safe.
 */
public final class SecretScrubber {

	/** What a secret is replaced with. */
	public static final String MASK = "[token]";

	/**
	 * The shortest secret replaced: shorter ones would match inside ordinary words ("e"
	 * in "expiration").
	 */
	static final int MIN_LENGTH = 8;

	private static final List<String> SECRETS = new CopyOnWriteArrayList<>();

	private SecretScrubber() {
	}

	/**
	 * Scrubs {@code secret} from all text from now on. Idempotent; blank or short values
	 * are ignored.
	 */
	public static void register(@Nullable String secret) {
		if (secret == null) {
			return;
		}
		for (String form : List.of(secret, secret.strip())) {
			if (form.length() >= MIN_LENGTH && !SECRETS.contains(form)) {
				SECRETS.add(form);
				// The longest first, so that a secret that contains another is masked
				// whole.
				SECRETS.sort(Comparator.comparingInt(String::length).reversed());
			}
		}
	}

	/** {@code text} with every registered secret masked; {@code null} stays null. */
	public static @Nullable String scrub(@Nullable String text) {
		if (text == null || text.isEmpty()) {
			return text;
		}
		String scrubbed = text;
		for (String secret : SECRETS) {
			if (scrubbed.contains(secret)) {
				scrubbed = scrubbed.replace(secret, MASK);
			}
		}
		return scrubbed;
	}

	/**
	 * Text from a server or an exception made safe for one line: no secret, no line
	 * breaks, at most {@code maxChars} characters.
	 */
	public static String oneLine(@Nullable String text, int maxChars) {
		String line = String.valueOf(scrub(text)).replaceAll("\\s+", " ").trim();
		return (line.length() > maxChars) ? line.substring(0, maxChars) + "…" : line;
	}

}
