package dev.kvbatch.stage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a spool file says it is kvbatch's own. A file {@code kvbatch stage} writes starts
 * with the line <pre class="code">
 * {"kvbatchSpool":2,"owner":"5f0c2a9e1b7d4c36"}
 * </pre> and only in such a file may records carry the fields kvbatch adds ({@code seq},
 * {@code stagedAt}) and {@code deadLetter} lines; their keys are final and their ids
 * already resolved. A producer's plain JSON Lines file cannot start that way by accident.
 * Spool files of earlier versions had no header; they are recognised by the name those
 * versions gave them ({@code stage-<epochMillis>-<8 hex digits>.jsonl}). Stateless and
 * thread-safe.
 */
public final class SpoolFormat {

	/** What a spool file is. */
	public enum Kind {

		/** Written by {@code kvbatch stage}: resolved records. */
		KVBATCH,
		/** Written by an earlier kvbatch: internal fields, ids not yet resolved. */
		LEGACY,
		/** Dropped by a producer: staging input like {@code kvbatch stage}'s. */
		PRODUCER;

		/** Whether records may carry kvbatch's own fields. */
		public boolean own() {
			return this != PRODUCER;
		}

	}

	static final int VERSION = 2;

	private static final String PREFIX = "{\"kvbatchSpool\":" + VERSION + ",\"owner\":\"";

	private static final Pattern HEADER = Pattern.compile(Pattern.quote(PREFIX) + "([0-9a-f]{16})\"}");

	private static final Pattern LEGACY_NAME = Pattern.compile("stage-\\d{1,19}-[0-9a-f]{8}\\.jsonl");

	private static final int HEADER_BYTES = PREFIX.length() + 18;

	private SpoolFormat() {
	}

	/** The first line of a spool file written by a stage run with this owner token. */
	static String header(long owner) {
		return PREFIX + HexFormat.of().toHexDigits(owner) + "\"}";
	}

	/** The owner token of a header line, or empty when the line is not one. */
	static OptionalLong owner(String line) {
		Matcher matcher = HEADER.matcher(line.strip());
		return matcher.matches() ? OptionalLong.of(HexFormat.fromHexDigitsToLong(matcher.group(1)))
				: OptionalLong.empty();
	}

	/**
	 * The owner token in the header of {@code file}, or empty when it has none or does
	 * not exist.
	 */
	public static OptionalLong owner(Path file) throws IOException {
		byte[] start;
		try (InputStream in = Files.newInputStream(file)) {
			start = in.readNBytes(HEADER_BYTES + 2);
		}
		catch (NoSuchFileException ex) {
			return OptionalLong.empty();
		}
		String text = new String(start, StandardCharsets.ISO_8859_1);
		int end = text.indexOf('\n');
		return owner((end >= 0) ? text.substring(0, end) : text);
	}

	/** What a spool file in the spool folder is. */
	public static Kind kind(Path file) throws IOException {
		if (owner(file).isPresent()) {
			return Kind.KVBATCH;
		}
		return LEGACY_NAME.matcher(file.getFileName().toString()).matches() ? Kind.LEGACY : Kind.PRODUCER;
	}

}
