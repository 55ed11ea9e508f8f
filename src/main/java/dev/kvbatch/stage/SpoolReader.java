package dev.kvbatch.stage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the spool folder for the {@code ingest} step: which files are ready, their lines
 * (streaming, with resume), and where finished files go.
 * <p>
 * Thread-safe, but meant for one ingest process at a time: moving files is not guarded
 * against a second process moving a file of the same name at the same moment.
 */
public final class SpoolReader {

	/** Where ingested files go. */
	public static final String DONE = "done";

	/** Where files that could not be ingested go. */
	public static final String FAILED = "failed";

	/** Only reads the small dead-letter objects; records go through the validator. */
	private static final JsonMapper DEAD_LETTER_MAPPER = JsonMapper.builder().build();

	private static final String DEAD_LETTER = "deadLetter";

	private final Path spoolDir;

	/**
	 * @param spoolDir the spool folder
	 */
	public SpoolReader(Path spoolDir) {
		this.spoolDir = spoolDir;
	}

	/**
	 * The committed spool files: regular files (or links) directly in the spool folder
	 * whose name ends in {@code .jsonl}, sorted by name (which is the order they were
	 * opened in). Files still being written ({@code .jsonl.tmp}) and the {@code done} and
	 * {@code failed} folders are not included. A link that leads nowhere readable is
	 * included, so that ingest can move it to {@code failed/} with its reason.
	 * @return the files, or an empty list when the folder does not exist
	 * @throws IOException if the folder cannot be listed
	 */
	public List<Path> readyFiles() throws IOException {
		if (!Files.isDirectory(this.spoolDir)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(this.spoolDir)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(SpoolWriter.SUFFIX))
				.filter((file) -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file))
				.sorted(Comparator.comparing((Path file) -> file.getFileName().toString()))
				.collect(Collectors.toList());
		}
	}

	/**
	 * Move an ingested file into {@code <spoolDir>/done/}.
	 * @return where the file went
	 * @throws IOException if it cannot be moved
	 * @see #moveTo(Path, String)
	 */
	public Path moveToDone(Path file) throws IOException {
		return moveTo(file, DONE);
	}

	/**
	 * Move a file that could not be ingested into {@code <spoolDir>/failed/}.
	 * @return where the file went
	 * @throws IOException if it cannot be moved
	 * @see #moveTo(Path, String)
	 */
	public Path moveToFailed(Path file) throws IOException {
		return moveTo(file, FAILED);
	}

	/**
	 * Move a file into a sub-folder of the spool folder, creating it, atomically where
	 * the file system can. An existing file of the same name is never overwritten: the
	 * moved file then gets a suffix, {@code stage-1-ab.jsonl} becoming
	 * {@code stage-1-ab.1.jsonl}, {@code .2.jsonl} and so on.
	 */
	private Path moveTo(Path file, String folder) throws IOException {
		Path dir = Files.createDirectories(this.spoolDir.resolve(folder));
		String name = file.getFileName().toString();
		String base = name.endsWith(SpoolWriter.SUFFIX) ? name.substring(0, name.length() - SpoolWriter.SUFFIX.length())
				: name;
		String extension = name.substring(base.length());
		Path target = dir.resolve(name);
		for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
			target = dir.resolve(base + "." + n + extension);
		}
		SpoolWriter.move(file, target);
		SpoolWriter.forceDirectory(dir);
		SpoolWriter.forceDirectory(file.toAbsolutePath().getParent());
		return target;
	}

	/**
	 * Pass the lines of a spool (or staging) file to {@code consumer}, streaming, each
	 * line strictly decoded as UTF-8 on its own.
	 * @param file the file
	 * @param skipLines how many lines to skip, to resume after the last line handled
	 * @param consumer receives the lines, numbered as in the file
	 * @throws IOException if the file cannot be read or the consumer throws it
	 * @see LineReader
	 */
	public void forEachLine(Path file, long skipLines, LineConsumer consumer) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			LineReader.forEach(in, skipLines, consumer);
		}
	}

	/**
	 * Pass the lines of a spool file from a position on to {@code consumer}, with the
	 * position after each: a read that continues where an earlier one stopped starts
	 * there, instead of reading the file from its start again.
	 * @param file the file
	 * @param from a position an earlier read of the same file gave, or
	 * {@link LinePosition#START}
	 * @param skipLines how many lines from the start of the file to skip, as with
	 * {@link #forEachLine(Path, long, LineConsumer)}
	 * @param consumer receives the lines, numbered as in the file
	 * @throws IOException if the file cannot be read or the consumer throws it
	 */
	public void forEachLine(Path file, LinePosition from, long skipLines, PositionedLineConsumer consumer)
			throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			channel.position(from.offset());
			LineReader.forEach(Channels.newInputStream(channel), from, skipLines, consumer);
		}
	}

	/**
	 * Parse one spool line of a producer's file.
	 * @see #parse(String, long, String, RecordValidator, Instant, SpoolFormat.Kind)
	 */
	public SpoolLine parse(String source, long line, String text, RecordValidator validator, Instant ingestTime) {
		return parse(source, line, text, validator, ingestTime, SpoolFormat.Kind.PRODUCER);
	}

	/**
	 * Parse one spool line. In kvbatch's own files, the header line is blank and a
	 * {@code {"deadLetter":{...}}} line gives back the recorded rejection (with its
	 * original source and line); any other line is validated, as a producer's line or, in
	 * kvbatch's own files, with kvbatch's own fields.
	 * @param source the spool file name, for rejections of the line itself
	 * @param line the line number in the spool file
	 * @param text the line
	 * @param validator validates record lines
	 * @param ingestTime the staging time for lines that lack {@code stagedAt}
	 * @param kind what the file is
	 * @return a {@link LineResult} or a {@link SpoolLine.DeadLetter}
	 */
	public SpoolLine parse(String source, long line, String text, RecordValidator validator, Instant ingestTime,
			SpoolFormat.Kind kind) {
		if (kind == SpoolFormat.Kind.KVBATCH && line == 1 && SpoolFormat.owner(text).isPresent()) {
			return LineResult.BLANK;
		}
		if (!kind.own() || !looksLikeDeadLetter(text)) {
			return validator.validate(source, line, text, ingestTime, kind);
		}
		try {
			JsonNode root = DEAD_LETTER_MAPPER.readTree(text);
			JsonNode letter = root.get(DEAD_LETTER);
			if (root.size() == 1 && letter != null && letter.isObject() && isText(letter.get("source"))
					&& letter.path("line").isIntegralNumber() && letter.path("line").canConvertToLong()
					&& isText(letter.get("reason")) && isText(letter.get("raw"))
					&& (letter.path("field").isMissingNode() || letter.path("field").isNull()
							|| letter.path("field").isString())) {
				JsonNode field = letter.path("field");
				return new SpoolLine.DeadLetter(new Rejection(letter.get("source").asString(),
						letter.get("line").asLong(), field.isString() ? field.asString() : null,
						letter.get("reason").asString(), letter.get("raw").asString()));
			}
		}
		catch (JacksonException ex) {
			// reported below
		}
		return RecordValidator.rejected(source, line, DEAD_LETTER,
				"must be the only field, holding an object with the strings source, reason and raw, "
						+ "the number line and field as a string or null",
				text);
	}

	/**
	 * Parse a producer's line from {@link #forEachLine}; a line that could not be read as
	 * text is rejected.
	 * @see #parse(String, long, String, RecordValidator, Instant)
	 */
	public SpoolLine parse(String source, InputLine line, RecordValidator validator, Instant ingestTime) {
		return parse(source, line, validator, ingestTime, SpoolFormat.Kind.PRODUCER);
	}

	/**
	 * Parse a line from {@link #forEachLine}; a line that could not be read as text is
	 * rejected.
	 * @see #parse(String, long, String, RecordValidator, Instant, SpoolFormat.Kind)
	 */
	public SpoolLine parse(String source, InputLine line, RecordValidator validator, Instant ingestTime,
			SpoolFormat.Kind kind) {
		if (line.problem() != null) {
			return validator.validate(source, line, ingestTime, kind);
		}
		return parse(source, line.number(), line.text(), validator, ingestTime, kind);
	}

	private static boolean isText(JsonNode node) {
		return node != null && node.isString();
	}

	/** A cheap look at the start, so that large record lines are parsed only once. */
	private static boolean looksLikeDeadLetter(String text) {
		int i = skipWhitespace(text, 0);
		if (i >= text.length() || text.charAt(i) != '{') {
			return false;
		}
		i = skipWhitespace(text, i + 1);
		return text.startsWith("\"" + DEAD_LETTER + "\"", i);
	}

	private static int skipWhitespace(String text, int from) {
		int i = from;
		while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\r'
				|| text.charAt(i) == '\n')) {
			i++;
		}
		return i;
	}

}
