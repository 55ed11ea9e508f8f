package dev.kvbatch.stage;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PlainJson;
import dev.kvbatch.pack.RawBytes;
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
 * {@link StagedRecord}: a TTL turned into an absolute expiration, the event time filled
 * in, and for a record with an {@code id} its {@link IdKey} and fingerprint.
 * <p>
 * A key with {@code {seq}} keeps its template here: the value is given later, by the
 * {@link Resolver}, once the idempotency index has said whether the record is a retry (a
 * retry gets the value it got the first time). The two checks that need the final key,
 * the 512-byte limit and the {@link KeyPolicy}, come then too ({@link #checkFinalKey}).
 * <p>
 * A producer's line may hold only the documented fields; {@code seq}, {@code stagedAt}
 * and {@code deadLetter} are kvbatch's own, accepted only in its own spool files
 * ({@link SpoolFormat}), whose keys are final.
 * <p>
 * A line holds one rejection: the first broken rule, in the order line, unknown fields,
 * {@code op}, {@code key}, {@code value}, {@code base64}, {@code stagedAt}, {@code seq},
 * {@code ttl}, {@code expiration}, {@code at}, {@code id}, {@code kind}, policy. A line
 * that makes a check fail in an unforeseen way is rejected too, never the whole input.
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

	/**
	 * Says that {@code value} is a string of base64 of raw bytes, as in Cloudflare's bulk
	 * write: accepted beside the fields above, and written back by kvbatch.
	 */
	private static final String BASE64 = "base64";

	/** Fields the spool writer adds; accepted only in kvbatch's own spool files. */
	private static final List<String> INTERNAL_FIELDS = List.of("seq", "stagedAt", "deadLetter");

	/** The first and last instants whose epoch milliseconds fit a long. */
	private static final Instant FIRST_INSTANT = Instant.ofEpochMilli(Long.MIN_VALUE);

	private static final Instant LAST_INSTANT = Instant.ofEpochMilli(Long.MAX_VALUE);

	private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:property|field) \"([^\"]*)\"");

	private final ObjectReader reader;

	private final JsonNodeFactory nodes;

	private final ObjectWriter compact;

	private final KeyPolicy policy;

	/**
	 * @param mapper parses lines and writes values compactly
	 * @param policy the app's rule-specific checks
	 */
	public RecordValidator(JsonMapper mapper, KeyPolicy policy) {
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
	}

	/**
	 * Validate and normalise one line of a producer's input.
	 * @param source the file name, or {@code -} for standard input
	 * @param line the 1-based line number
	 * @param text the line, without its line break
	 * @param stagingTime now: the default event time, and the base of {@code ttl}
	 * @return accepted, rejected, or blank for an empty or all-whitespace line
	 */
	public LineResult validate(String source, long line, String text, Instant stagingTime) {
		return validate(source, line, text, stagingTime, SpoolFormat.Kind.PRODUCER);
	}

	/**
	 * Validate and normalise one line.
	 * @param source the file name, or {@code -} for standard input
	 * @param line the 1-based line number
	 * @param text the line, without its line break
	 * @param stagingTime now: the default event time, and the base of {@code ttl} and
	 * {@code expiration} unless the line carries {@code stagedAt}
	 * @param origin a producer's line, or a line of one of kvbatch's own spool files
	 * (which may carry {@code seq} and {@code stagedAt}, and whose key is final)
	 * @return accepted, rejected, or blank for an empty or all-whitespace line
	 */
	public LineResult validate(String source, long line, String text, Instant stagingTime, SpoolFormat.Kind origin) {
		if (text.isBlank()) {
			return LineResult.BLANK;
		}
		try {
			Map<String, JsonNode> fields = parse(text);
			return new Check(fields, stagingTime, origin, text).run();
		}
		catch (Bad ex) {
			return rejected(source, line, ex.field, ex.reason, text);
		}
		catch (RuntimeException ex) {
			// One odd line must never stop the others: whatever a check did not foresee
			// is this line's rejection.
			return rejected(source, line, null, "cannot be checked (" + ex.getClass().getSimpleName() + ": "
					+ ex.getMessage() + "); please report this line", text);
		}
	}

	/**
	 * Validate and normalise a producer's line from {@link LineReader}: a line that could
	 * not be read as text is rejected with the reader's reason.
	 * @see #validate(String, long, String, Instant)
	 */
	public LineResult validate(String source, InputLine line, Instant stagingTime) {
		return validate(source, line, stagingTime, SpoolFormat.Kind.PRODUCER);
	}

	/**
	 * Validate and normalise a line from {@link LineReader}.
	 * @see #validate(String, long, String, Instant, SpoolFormat.Kind)
	 */
	public LineResult validate(String source, InputLine line, Instant stagingTime, SpoolFormat.Kind origin) {
		String problem = line.problem();
		if (problem != null) {
			return rejected(source, line.number(), null, problem, line.text());
		}
		return validate(source, line.number(), line.text(), stagingTime, origin);
	}

	/**
	 * The checks that need a record's final key, once {@code {seq}} is replaced: KV's
	 * 512-byte limit and the {@link KeyPolicy}.
	 * @param op the record's operation
	 * @param key its final key
	 * @param at its event time
	 * @param value its value, for the policy ({@code null} for a delete)
	 * @param digits what {@code {seq}} became, for the message
	 * @return the field and reason of the first broken rule, or {@code null}
	 */
	public @Nullable Refusal checkFinalKey(Op op, String key, Instant at, @Nullable JsonNode value, String digits) {
		long bytes = Text.utf8Length(key);
		if (bytes > MAX_KEY_BYTES) {
			return new Refusal("key", "is " + bytes + " bytes after {seq} became " + digits + ", over KV's "
					+ MAX_KEY_BYTES + "-byte limit");
		}
		try {
			checkPolicy(op, key, value, at, false);
			return null;
		}
		catch (Bad ex) {
			return new Refusal(ex.field, ex.reason);
		}
	}

	/**
	 * Why a record was refused.
	 *
	 * @param field the offending field, or {@code null} for the line as a whole
	 * @param reason why
	 */
	public record Refusal(@Nullable String field, String reason) {
	}

	private void checkPolicy(Op op, String key, @Nullable JsonNode value, Instant at, boolean base64) {
		try {
			if (base64) {
				this.policy.checkRaw(key, at);
			}
			this.policy.check(op, key, value, at);
		}
		catch (KeyPolicy.Violation ex) {
			throw new Bad(ex.field(), ex.reason());
		}
		catch (IllegalArgumentException ex) {
			String message = ex.getMessage();
			throw new Bad("key", (message != null && !message.isBlank()) ? message : "is refused by the key policy");
		}
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
				JsonNode value = readValue(parser, name, text);
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

	private JsonNode readValue(JsonParser parser, String name, String text) {
		// Scalars become nodes straight from the token, as the tree reader would make
		// them:
		// binding one through the reader costs a deserialization context per field, which
		// was most of the time ingest spent validating. Objects, arrays and decimals go
		// through the reader.
		JsonToken token = parser.currentToken();
		if (token == JsonToken.VALUE_STRING) {
			JsonNode plain = name.equals("value") ? plainString(parser, text) : null;
			return (plain != null) ? plain : this.nodes.stringNode(parser.getString());
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

	/**
	 * A value that is a string of plain characters (see {@link PlainJson}), cut from the
	 * line: the parser is never asked for it, so it skips the string instead of decoding
	 * it into buffers of UTF-16 chars and copying it out, which for a 25 MiB value took
	 * three times the value's size on top of the line. {@code null} for any other string,
	 * which the parser decodes.
	 */
	private @Nullable JsonNode plainString(JsonParser parser, String text) {
		long start = parser.currentTokenLocation().getCharOffset();
		if (start < 0 || start >= text.length() || text.charAt((int) start) != '"') {
			return null;
		}
		int end = text.indexOf('"', (int) start + 1);
		if (end < 0 || !PlainJson.isPlain(text, (int) start + 1, end)) {
			return null;
		}
		return this.nodes.stringNode(text.substring((int) start + 1, end));
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

		private final SpoolFormat.Kind origin;

		private final String text;

		Check(Map<String, JsonNode> fields, Instant stagingTime, SpoolFormat.Kind origin, String text) {
			this.fields = fields;
			this.stagingTime = stagingTime;
			this.origin = origin;
			this.text = text;
		}

		LineResult run() {
			checkFieldNames();
			Op op = op();
			String template = keyTemplate();
			JsonNode value = value(op);
			boolean base64 = base64(op);
			String valueJson = (value == null) ? null : base64 ? rawJson(value) : valueJson(value);
			Instant stagedAt = stagedAt();
			Instant base = (stagedAt != null) ? stagedAt : this.stagingTime;
			Long keptSeq = seq();
			Long expiresAt = expiresAt(op, base, stagedAt != null);
			Instant at = at(base);
			String id = id();
			Kind kind = kind();
			// In kvbatch's own files the key is final; a producer's {seq} is given its
			// value, and the key its last checks, once the record is known not to be a
			// retry.
			boolean deferred = !this.origin.own() && template.contains(SEQ_PLACEHOLDER);
			if (!deferred) {
				checkPolicy(op, template, value, at, base64);
			}
			StagedRecord record = new StagedRecord(op, template, valueJson, expiresAt, at, id, kind, keptSeq, base,
					base64);
			IdKey idKey = (id != null && this.origin != SpoolFormat.Kind.KVBATCH) ? IdKey.of(id) : null;
			if (idKey == null && !deferred) {
				return new LineResult.Accepted(record);
			}
			// A record of an earlier version's spool file matches any retry of its id:
			// its
			// fields were normalised, so a fingerprint could not tell.
			long fingerprint = (idKey == null || this.origin == SpoolFormat.Kind.LEGACY) ? LineResult.ANY_RECORD
					: fingerprint(op, template, valueJson, kind, base64);
			return new LineResult.Accepted(record, deferred ? template : null, idKey, fingerprint,
					Text.cut(this.text, MAX_RAW_CHARS));
		}

		/**
		 * What makes two records with the same id the same record: the fields as the
		 * producer gave them (a missing {@code at} or {@code ttl} counts as missing, not
		 * as the staging time it becomes).
		 */
		private long fingerprint(Op op, String template, @Nullable String valueJson, Kind kind, boolean base64) {
			Fingerprint fingerprint = new Fingerprint().add(op.ordinal()).add(template).add(valueJson);
			if (base64) {
				// Only then: the fingerprints of JSON values stay as they were indexed.
				fingerprint.add(BASE64);
			}
			JsonNode ttl = optional("ttl");
			JsonNode expiration = optional("expiration");
			fingerprint.add((ttl != null) ? 1 : 0).add((ttl != null) ? ttl.asLong() : 0);
			fingerprint.add((expiration != null) ? 1 : 0).add((expiration != null) ? expiration.asLong() : 0);
			if (optional("at") != null) {
				Instant at = at(this.stagingTime);
				fingerprint.add(1).add(at.getEpochSecond()).add(at.getNano());
			}
			else {
				fingerprint.add(0);
			}
			return fingerprint.add(kind.ordinal()).value();
		}

		private void checkFieldNames() {
			for (String name : this.fields.keySet()) {
				if (INTERNAL_FIELDS.contains(name) && !this.origin.own()) {
					throw new Bad(name, "is set by kvbatch in its own spool files, never by producers; leave it out"
							+ (name.equals("seq") ? " (a {seq} in the key gets the next value)"
									: name.equals("stagedAt") ? " (the staging time is when the line is staged)" : ""));
				}
				if (!PRODUCER_FIELDS.contains(name) && !INTERNAL_FIELDS.contains(name) && !name.equals(BASE64)) {
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

		/** Whether the value is base64 of raw bytes; {@code false} when left out. */
		private boolean base64(Op op) {
			JsonNode node = optional(BASE64);
			if (node == null) {
				return false;
			}
			if (!node.isBoolean()) {
				throw new Bad(BASE64, "must be true or false, was " + Text.show(node));
			}
			if (op == Op.DELETE && node.asBoolean()) {
				throw new Bad(BASE64, "is not allowed on \"delete\"; remove it");
			}
			return node.asBoolean();
		}

		/**
		 * A base64 value as the staging model holds it: a JSON string of its bytes'
		 * canonical base64, whatever padding the producer gave.
		 */
		private String rawJson(JsonNode value) {
			if (!value.isString()) {
				throw new Bad("value", "must be a string of base64 when \"base64\" is true, was " + Text.show(value));
			}
			byte[] bytes;
			try {
				bytes = java.util.Base64.getDecoder().decode(value.asString());
			}
			catch (IllegalArgumentException ex) {
				throw new Bad("value", "is not valid base64 (\"base64\" is true): " + ex.getMessage());
			}
			if (bytes.length > MAX_VALUE_BYTES) {
				throw new Bad("value", "is " + bytes.length + " bytes once decoded from base64, over KV's 25 MiB ("
						+ MAX_VALUE_BYTES + "-byte) limit");
			}
			return RawBytes.json(bytes);
		}

		private String valueJson(JsonNode value) {
			String plain = value.isString() ? PlainJson.quoted(value.asString()) : null;
			String json = (plain != null) ? plain : RecordValidator.this.compact.writeValueAsString(value);
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
					return inMillisRange("at", Instant.parse(text));
				}
				catch (DateTimeException ex) {
					// try the other forms below
				}
				try {
					return inMillisRange("at", OffsetDateTime.parse(text).toInstant());
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

		/**
		 * Times are kept as epoch milliseconds: one beyond them would fail every load of
		 * the line.
		 */
		private static Instant inMillisRange(String field, Instant instant) {
			if (instant.isBefore(FIRST_INSTANT) || instant.isAfter(LAST_INSTANT)) {
				throw new Bad(field, "is " + instant + ", outside the range kvbatch keeps times in (" + FIRST_INSTANT
						+ " to " + LAST_INSTANT + ")");
			}
			return instant;
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
