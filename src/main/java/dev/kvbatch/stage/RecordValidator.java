package dev.kvbatch.stage;

import dev.kvbatch.pack.KvLimits;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Checks one staging line against the record rules and normalises it into a
 * {@link StagedRecord}: {@code {seq}} replaced, a TTL turned into an absolute expiration,
 * the event time filled in.
 * <p>
 * Every rule is checked before a sequence value is allocated, so a bad line costs no
 * value. Two checks come after the allocation because they need the final key: the
 * 512-byte limit (a large value makes the key longer) and the {@link KeyPolicy}.
 * Allocated values that end in such a rejection are lost; the sequence allows gaps.
 * <p>
 * A line holds one rejection: the first broken rule, in the order line, unknown fields,
 * {@code op}, {@code key}, {@code value}, {@code stagedAt}, {@code seq}, {@code ttl},
 * {@code expiration}, {@code at}, {@code id}, {@code kind}, policy.
 * <p>
 * Thread-safe if the policy is.
 */
public final class RecordValidator {

	/** KV's limit on key length, in UTF-8 bytes. */
	public static final int MAX_KEY_BYTES = KvLimits.MAX_KEY_BYTES;

	/** The limit on an idempotency id, in UTF-8 bytes. */
	public static final int MAX_ID_BYTES = 512;

	/** KV's limit on a value: 25 MiB of the value's compact JSON text. */
	public static final long MAX_VALUE_BYTES = KvLimits.MAX_VALUE_BYTES;

	/** KV's shortest time to live, in seconds. */
	public static final long MIN_TTL_SECONDS = KvLimits.MIN_TTL_SECONDS;

	/** How much of a rejected line the dead letter keeps. */
	public static final int MAX_RAW_CHARS = 1000;

	/** The placeholder replaced by the next sequence value. */
	public static final String SEQ_PLACEHOLDER = "{seq}";

	/** The fields a producer may write, in the order they are explained. */
	private static final List<String> PRODUCER_FIELDS = List.of("op", "key", "value", "ttl", "expiration", "at", "id",
			"kind");

	/** Fields the spool writer adds; accepted so that a spool file is valid input. */
	private static final List<String> INTERNAL_FIELDS = List.of("seq", "stagedAt");

	private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:property|field) \"([^\"]*)\"");

	private final ObjectReader reader;

	private final JsonNodeFactory nodes;

	private final ObjectWriter compact;

	private final KeyPolicy policy;

	private final SeqAllocator seq;

	/**
	 * @param mapper parses lines and writes values compactly
	 * @param policy the app's rule-specific checks
	 * @param seq allocates the values for {@code {seq}}
	 */
	public RecordValidator(JsonMapper mapper, KeyPolicy policy, SeqAllocator seq) {
		// Big decimals keep a value's numbers exactly as written; duplicate properties
		// make a line ambiguous. Trailing text is checked by parse(), which reads the
		// top level field by field.
		this.reader = mapper.reader()
			.with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS,
					DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
			.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
		this.nodes = this.reader.getConfig().getNodeFactory();
		this.compact = mapper.writer().without(SerializationFeature.INDENT_OUTPUT);
		this.policy = policy;
		this.seq = seq;
	}

	/**
	 * Validate and normalise one line.
	 * @param source the file name, or {@code -} for standard input
	 * @param line the 1-based line number
	 * @param text the line, without its line break
	 * @param stagingTime now: the default event time, and the base of {@code ttl} and
	 * {@code expiration} unless the line carries {@code stagedAt}
	 * @return accepted, rejected, or blank for an empty or all-whitespace line
	 * @throws java.io.UncheckedIOException if a sequence value cannot be allocated
	 */
	public LineResult validate(String source, long line, String text, Instant stagingTime) {
		if (text.isBlank()) {
			return LineResult.BLANK;
		}
		try {
			Map<String, JsonNode> fields = parse(text);
			return new Check(fields, stagingTime).run();
		}
		catch (Bad ex) {
			return rejected(source, line, ex.field, ex.reason, text);
		}
	}

	/**
	 * Validate and normalise a line from {@link LineReader}: a line that could not be
	 * read as text is rejected with the reader's reason.
	 * @see #validate(String, long, String, Instant)
	 */
	public LineResult validate(String source, InputLine line, Instant stagingTime) {
		String problem = line.problem();
		if (problem != null) {
			return rejected(source, line.number(), null, problem, line.text());
		}
		return validate(source, line.number(), line.text(), stagingTime);
	}

	static LineResult.Rejected rejected(String source, long line, @Nullable String field, String reason, String text) {
		return new LineResult.Rejected(new Rejection(source, line, field, reason, Text.cut(text, MAX_RAW_CHARS)));
	}

	/** {@code n} formatted for {@code {seq}}: at least two digits. */
	public static String formatSeq(long n) {
		return (n >= 0 && n < 10) ? "0" + n : Long.toString(n);
	}

	private Map<String, JsonNode> parse(String text) {
		// The top level is walked by hand so that a duplicate or a broken value can be
		// blamed on its field; nested values are read as trees.
		try (JsonParser parser = this.reader.createParser(text)) {
			JsonToken token = parser.nextToken();
			if (token != JsonToken.START_OBJECT) {
				throw new Bad(null, "must be a JSON object such as {\"op\":\"put\",...}, was " + describe(token));
			}
			Map<String, JsonNode> fields = new LinkedHashMap<>();
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				parser.nextToken();
				JsonNode value = readValue(parser, name);
				if (fields.put(name, value) != null) {
					throw new Bad(name, "appears more than once; give it once");
				}
			}
			if (parser.nextToken() != null) {
				throw new Bad(null, "has more text after the JSON object; put one object on each line");
			}
			return fields;
		}
		catch (JacksonException ex) {
			throw new Bad(null, "is not valid JSON: " + ex.getOriginalMessage() + column(ex.getLocation()));
		}
	}

	private JsonNode readValue(JsonParser parser, String name) {
		// Scalars become nodes straight from the token, as the tree reader would make
		// them:
		// binding one through the reader costs a deserialization context per field, which
		// was most of the time ingest spent validating. Objects, arrays and decimals go
		// through the reader.
		JsonToken token = parser.currentToken();
		if (token == JsonToken.VALUE_STRING) {
			return this.nodes.stringNode(parser.getString());
		}
		if (token == JsonToken.VALUE_NUMBER_INT) {
			return switch (parser.getNumberType()) {
				case INT -> this.nodes.numberNode(parser.getIntValue());
				case LONG -> this.nodes.numberNode(parser.getLongValue());
				default -> this.nodes.numberNode(parser.getBigIntegerValue());
			};
		}
		if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
			return this.nodes.booleanNode(token == JsonToken.VALUE_TRUE);
		}
		if (token == JsonToken.VALUE_NULL) {
			return this.nodes.nullNode();
		}
		try {
			return this.reader.readTree(parser);
		}
		catch (DatabindException ex) {
			Matcher duplicate = DUPLICATE.matcher(String.valueOf(ex.getOriginalMessage()));
			if (duplicate.find()) {
				throw new Bad(name,
						"has the property " + Text.quote(duplicate.group(1)) + " twice in one object; give it once");
			}
			throw new Bad(name, "cannot be read: " + ex.getOriginalMessage());
		}
	}

	private static String column(@Nullable TokenStreamLocation location) {
		return (location != null && location.getColumnNr() > 0) ? " (column " + location.getColumnNr() + ")" : "";
	}

	private static String describe(@Nullable JsonToken token) {
		if (token == null) {
			return "nothing";
		}
		return switch (token) {
			case START_ARRAY -> "an array";
			case VALUE_STRING -> "a string";
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
			case VALUE_TRUE, VALUE_FALSE -> "a boolean";
			case VALUE_NULL -> "null";
			default -> token.name();
		};
	}

	private static String knownFields() {
		return String.join(", ", PRODUCER_FIELDS);
	}

	/** The closest known field, when {@code name} looks like a typo of it. */
	private static @Nullable String suggestion(String name) {
		String best = null;
		int bestDistance = 3;
		for (String known : PRODUCER_FIELDS) {
			int distance = distance(name.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
			if (distance < bestDistance) {
				best = known;
				bestDistance = distance;
			}
		}
		return best;
	}

	/** Optimal string alignment distance: a swap of two letters counts as one edit. */
	private static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}

	/** The checks of one line; a new instance per line. */
	private final class Check {

		private final Map<String, JsonNode> fields;

		private final Instant stagingTime;

		Check(Map<String, JsonNode> fields, Instant stagingTime) {
			this.fields = fields;
			this.stagingTime = stagingTime;
		}

		LineResult run() {
			checkFieldNames();
			Op op = op();
			String template = keyTemplate();
			JsonNode value = value(op);
			String valueJson = (value != null) ? valueJson(value) : null;
			Instant stagedAt = stagedAt();
			Instant base = (stagedAt != null) ? stagedAt : this.stagingTime;
			Long keptSeq = seq();
			Long expiresAt = expiresAt(op, base, stagedAt != null);
			Instant at = at(base);
			String id = id();
			Kind kind = kind();
			// Everything else is valid: only now is a sequence value spent.
			String key = template;
			Long seqValue = keptSeq;
			String assignedFrom = null;
			if (template.contains(SEQ_PLACEHOLDER)) {
				seqValue = RecordValidator.this.seq.next();
				String digits = formatSeq(seqValue);
				key = template.replace(SEQ_PLACEHOLDER, digits);
				assignedFrom = template;
				long bytes = Text.utf8Length(key);
				if (bytes > MAX_KEY_BYTES) {
					throw new Bad("key", "is " + bytes + " bytes after {seq} became " + digits + ", over KV's "
							+ MAX_KEY_BYTES + "-byte limit");
				}
			}
			checkPolicy(op, key, value, at);
			return new LineResult.Accepted(
					new StagedRecord(op, key, valueJson, expiresAt, at, id, kind, seqValue, base), assignedFrom);
		}

		private void checkFieldNames() {
			for (String name : this.fields.keySet()) {
				if (!PRODUCER_FIELDS.contains(name) && !INTERNAL_FIELDS.contains(name)) {
					String similar = suggestion(name);
					throw new Bad(name,
							"is not a known field" + ((similar != null) ? " (did you mean \"" + similar + "\"?)" : "")
									+ "; the fields are " + knownFields());
				}
			}
		}

		/** A present field; JSON {@code null} counts as absent. */
		private @Nullable JsonNode optional(String name) {
			JsonNode node = this.fields.get(name);
			return (node == null || node.isNull()) ? null : node;
		}

		private Op op() {
			JsonNode node = optional("op");
			if (node == null) {
				throw new Bad("op", "is required: \"put\" or \"delete\"");
			}
			if (node.isString()) {
				switch (node.asString()) {
					case "put":
						return Op.PUT;
					case "delete":
						return Op.DELETE;
					default:
				}
			}
			throw new Bad("op", "must be \"put\" or \"delete\", was " + Text.show(node));
		}

		private String keyTemplate() {
			JsonNode node = optional("key");
			if (node == null) {
				throw new Bad("key", "is required");
			}
			if (!node.isString()) {
				throw new Bad("key", "must be a string, was " + Text.show(node));
			}
			String key = node.asString();
			if (key.isEmpty()) {
				throw new Bad("key", "must not be empty");
			}
			if (key.equals(".") || key.equals("..")) {
				throw new Bad("key", "must not be \".\" or \"..\" (KV does not allow them), was " + Text.quote(key));
			}
			long bytes = Text.utf8Length(key);
			if (bytes < 0) {
				throw new Bad("key", "holds an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape); "
						+ "keys must be valid Unicode");
			}
			int placeholders = count(key, SEQ_PLACEHOLDER);
			if (placeholders > 0) {
				// The sequence value has at least two digits; a key too long even then
				// is rejected before a value is spent on it.
				long shortest = bytes - placeholders * (SEQ_PLACEHOLDER.length() - 2L);
				if (shortest > MAX_KEY_BYTES) {
					throw new Bad("key", "is at least " + shortest + " bytes once {seq} is replaced, over KV's "
							+ MAX_KEY_BYTES + "-byte limit");
				}
			}
			else if (bytes > MAX_KEY_BYTES) {
				throw new Bad("key", "is " + bytes + " bytes, over KV's " + MAX_KEY_BYTES + "-byte limit");
			}
			return key;
		}

		private @Nullable JsonNode value(Op op) {
			JsonNode node = this.fields.get("value");
			if (op == Op.DELETE) {
				if (node != null) {
					throw new Bad("value", "is not allowed on \"delete\"; remove it");
				}
				return null;
			}
			if (node == null) {
				throw new Bad("value", "is required for \"put\" (any JSON, for example {} or \"text\")");
			}
			return node;
		}

		private String valueJson(JsonNode value) {
			String json = RecordValidator.this.compact.writeValueAsString(value);
			long bytes = Text.utf8Length(json);
			if (bytes < 0) {
				throw new Bad("value", "holds a string with an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF "
						+ "escape); strings must be valid Unicode");
			}
			if (bytes > MAX_VALUE_BYTES) {
				throw new Bad("value", "is " + bytes + " bytes as compact JSON, over KV's 25 MiB (" + MAX_VALUE_BYTES
						+ "-byte) limit");
			}
			return json;
		}

		private @Nullable Instant stagedAt() {
			JsonNode node = optional("stagedAt");
			if (node == null) {
				return null;
			}
			if (node.isString()) {
				try {
					return Instant.parse(node.asString());
				}
				catch (DateTimeException ex) {
					// reported below
				}
			}
			throw new Bad("stagedAt", "must be an ISO-8601 instant such as \"2025-05-01T12:00:00Z\", was "
					+ Text.show(node) + " (kvbatch writes this field; producers leave it out)");
		}

		private @Nullable Long seq() {
			JsonNode node = optional("seq");
			if (node == null) {
				return null;
			}
			if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 1) {
				return node.asLong();
			}
			throw new Bad("seq", "must be a positive whole number, was " + Text.show(node)
					+ " (kvbatch writes this field; producers leave it out)");
		}

		private @Nullable Long expiresAt(Op op, Instant base, boolean restaged) {
			JsonNode ttl = optional("ttl");
			JsonNode expiration = optional("expiration");
			if (op == Op.DELETE) {
				if (ttl != null) {
					throw new Bad("ttl", "is not allowed on \"delete\"; remove it");
				}
				if (expiration != null) {
					throw new Bad("expiration", "is not allowed on \"delete\"; remove it");
				}
				return null;
			}
			if (ttl != null && expiration != null) {
				throw new Bad("expiration", "cannot be combined with \"ttl\"; give one of them");
			}
			// Rounded up to whole seconds so that a record lives at least its TTL.
			long baseSeconds = base.getEpochSecond() + ((base.getNano() > 0) ? 1 : 0);
			if (ttl != null) {
				long seconds = wholeNumber("ttl", ttl, "seconds");
				if (seconds < MIN_TTL_SECONDS) {
					throw new Bad("ttl", "must be at least " + MIN_TTL_SECONDS + " seconds, was " + seconds);
				}
				try {
					return Math.addExact(baseSeconds, seconds);
				}
				catch (ArithmeticException ex) {
					throw new Bad("ttl", "is too large, was " + seconds);
				}
			}
			if (expiration != null) {
				long seconds = wholeNumber("expiration", expiration, "epoch seconds");
				long earliest = baseSeconds + MIN_TTL_SECONDS;
				if (seconds < earliest) {
					throw new Bad("expiration",
							"must be at least " + MIN_TTL_SECONDS + " seconds after "
									+ (restaged ? "stagedAt" : "staging time") + " " + base + ", so at least "
									+ earliest + " epoch seconds, was " + seconds);
				}
				return seconds;
			}
			return null;
		}

		private long wholeNumber(String field, JsonNode node, String unit) {
			if (!node.isIntegralNumber()) {
				throw new Bad(field, "must be a whole number of " + unit + ", was " + Text.show(node));
			}
			if (!node.canConvertToLong()) {
				throw new Bad(field, "is too large, was " + Text.show(node));
			}
			return node.asLong();
		}

		private Instant at(Instant base) {
			JsonNode node = optional("at");
			if (node == null) {
				return base;
			}
			if (node.isString()) {
				String text = node.asString();
				try {
					return Instant.parse(text);
				}
				catch (DateTimeException ex) {
					// try the other forms below
				}
				try {
					return OffsetDateTime.parse(text).toInstant();
				}
				catch (DateTimeException ex) {
					// reported below
				}
				if (isLocalDateTime(text)) {
					throw new Bad("at", "has no time zone, was " + Text.show(node)
							+ "; add Z or an offset, as in \"2025-05-01T12:00:00Z\" or \"2025-05-01T14:00:00+02:00\"");
				}
			}
			else if (node.isIntegralNumber() && node.canConvertToLong()) {
				return Instant.ofEpochMilli(node.asLong());
			}
			throw new Bad("at", "must be an ISO-8601 time such as \"2025-05-01T12:00:00Z\" or epoch milliseconds, was "
					+ Text.show(node));
		}

		private static boolean isLocalDateTime(String text) {
			try {
				LocalDateTime.parse(text);
				return true;
			}
			catch (DateTimeException ex) {
				return false;
			}
		}

		private @Nullable String id() {
			JsonNode node = optional("id");
			if (node == null) {
				return null;
			}
			if (node.isIntegralNumber()) {
				BigInteger number = node.bigIntegerValue();
				return number.toString();
			}
			if (!node.isString()) {
				throw new Bad("id", "must be a string or a whole number, was " + Text.show(node));
			}
			String id = node.asString();
			if (id.isEmpty()) {
				throw new Bad("id", "must not be empty; leave it out instead");
			}
			long bytes = Text.utf8Length(id);
			if (bytes < 0) {
				throw new Bad("id", "holds an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape); "
						+ "ids must be valid Unicode");
			}
			if (bytes > MAX_ID_BYTES) {
				throw new Bad("id", "is " + bytes + " bytes, over the " + MAX_ID_BYTES + "-byte limit");
			}
			return id;
		}

		private Kind kind() {
			JsonNode node = optional("kind");
			if (node == null) {
				return Kind.CHANGE;
			}
			if (node.isString()) {
				switch (node.asString()) {
					case "upload":
						return Kind.UPLOAD;
					case "change":
						return Kind.CHANGE;
					default:
				}
			}
			throw new Bad("kind", "must be \"upload\" or \"change\", was " + Text.show(node));
		}

		private void checkPolicy(Op op, String key, @Nullable JsonNode value, Instant at) {
			try {
				RecordValidator.this.policy.check(op, key, value, at);
			}
			catch (KeyPolicy.Violation ex) {
				throw new Bad(ex.field(), ex.reason());
			}
			catch (IllegalArgumentException ex) {
				String message = ex.getMessage();
				throw new Bad("key",
						(message != null && !message.isBlank()) ? message : "is refused by the key policy");
			}
		}

		private static int count(String text, String part) {
			int count = 0;
			for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
				count++;
			}
			return count;
		}

	}

	/** A broken rule; unwinds the checks of one line. */
	private static final class Bad extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private final @Nullable String field;

		private final String reason;

		Bad(@Nullable String field, String reason) {
			super(reason, null, false, false);
			this.field = field;
			this.reason = reason;
		}

	}

}
