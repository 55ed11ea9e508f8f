package dev.kvbatch.store;

import java.util.regex.Pattern;

/**
 * Rewrites a vendor's schema script (Spring Batch's, Quartz's) so that it can run again
 * over what an interrupted run of it created: every {@code CREATE TABLE},
 * {@code CREATE INDEX} and {@code CREATE SEQUENCE} gets {@code IF NOT EXISTS}, and on H2,
 * which adds keys with {@code ALTER TABLE}, every {@code ADD CONSTRAINT} too. H2 and
 * PostgreSQL (9.6 or later) understand all of them. Pure; thread-safe.
 */
final class IdempotentDdl {

	private static final Pattern CREATE = Pattern
		.compile("(?i)\\bCREATE(\\s+UNIQUE)?\\s+(TABLE|INDEX|SEQUENCE)\\s+(?!IF\\s+NOT\\s+EXISTS\\b)");

	private static final Pattern ADD_CONSTRAINT = Pattern
		.compile("(?i)\\bADD\\s+CONSTRAINT\\s+(?!IF\\s+NOT\\s+EXISTS\\b)");

	private IdempotentDdl() {
	}

	/**
	 * The script with its {@code CREATE}s (and on H2 its {@code ADD CONSTRAINT}s) made
	 * conditional.
	 * @param h2 whether the script is H2's
	 */
	static String of(String script, boolean h2) {
		String created = CREATE.matcher(script).replaceAll("CREATE$1 $2 IF NOT EXISTS ");
		return h2 ? ADD_CONSTRAINT.matcher(created).replaceAll("ADD CONSTRAINT IF NOT EXISTS ") : created;
	}

}
