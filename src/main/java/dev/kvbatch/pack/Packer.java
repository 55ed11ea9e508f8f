package dev.kvbatch.pack;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Packs the live logical entries of one physical key into that key's value.
 * <p>
 * A packed value is a pure, deterministic function of the entries: the same entries in
 * any order give a byte-identical value, because callers compare digests of values to
 * skip writes that would not change anything. Thread-safe.
 */
public final class Packer {

	/** Integral doubles below this magnitude print as whole numbers. */
	private static final double LONG_RANGE = 0x1p63;

	private final JsonMapper mapper;

	private final ObjectReader reader;

	private final ObjectWriter writer;

	/**
	 * Create a packer.
	 * @param mapper the mapper that parses entry values and writes packed values
	 */
	public Packer(JsonMapper mapper) {
		this.mapper = mapper;
		// Decimals as BigDecimal so an embedded value keeps its exact digits (1.50,
		// 1e400)
		this.reader = mapper.readerFor(JsonNode.class)
			.with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
			.with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
		// Compact whatever the mapper's defaults: values are stored and digested as is
		this.writer = mapper.writer().without(SerializationFeature.INDENT_OUTPUT);
	}

	/**
	 * Pack the live entries of one physical key, all or nothing.
	 * @param physicalKey the physical key
	 * @param rule the name of the rule that placed every entry
	 * @param kind that rule's kind
	 * @param entries the live entries of the physical key, all placed by {@code rule};
	 * not empty
	 * @return the physical value; it expires at the latest {@code expiresAt} of the
	 * entries, or never if any entry never expires
	 * @throws PackException if there are no entries, or if {@link #packParking} would
	 * leave an entry out: the message is that entry's reason, which names the physical
	 * key and the rule
	 */
	public PhysicalValue pack(String physicalKey, String rule, PackKind kind, List<LogicalEntry> entries) {
		Context context = new Context(physicalKey, rule);
		if (entries.isEmpty()) {
			throw context.error("nothing to pack (no live entries)");
		}
		Packing packing = packParking(physicalKey, rule, kind, entries);
		if (!packing.parked().isEmpty()) {
			throw new PackException(packing.parked().get(0).reason());
		}
		return java.util.Objects.requireNonNull(packing.value());
	}

	/**
	 * Pack the live entries of one physical key, leaving out (parking) each entry that
	 * cannot be packed with the others, so that one bad entry never holds back the rest:
	 * <ul>
	 * <li>a map entry without a field or whose value is not JSON; of entries that land in
	 * the same field, all but the first by logical key;</li>
	 * <li>a rollup entry without a metric, or whose metric would take its type's sum
	 * beyond a double's range (metrics are added smallest first, ties by logical
	 * key);</li>
	 * <li>a counter entry that is not a whole number;</li>
	 * <li>of a direct key's entries, all but the one named like the key (else the first
	 * by logical key);</li>
	 * <li>map entries, last field first, until the value fits KV's 25 MiB; any other
	 * value over it.</li>
	 * </ul>
	 * Which entries are parked depends only on the entries, never on their order, so
	 * packing the same entries again parks the same ones and gives the same value.
	 * @param physicalKey the physical key
	 * @param rule the name of the rule that placed every entry
	 * @param kind that rule's kind
	 * @param entries the live entries of the physical key, all placed by {@code rule}
	 * @return the value of the entries kept ({@code null} when none is left) and the
	 * entries parked, each with why; the reasons name the physical key and the rule
	 */
	public Packing packParking(String physicalKey, String rule, PackKind kind, List<LogicalEntry> entries) {
		Context context = new Context(physicalKey, rule);
		List<LogicalEntry> sorted = new ArrayList<>(entries);
		sorted.sort(Comparator.comparing(LogicalEntry::logicalKey));
		if (kind != PackKind.DIRECT) {
			for (LogicalEntry entry : sorted) {
				if (entry.base64()) {
					context.park(entry,
							"logical key \"" + entry.logicalKey() + "\" holds raw bytes (staged with base64), "
									+ "which only a direct key can hold; this rule packs values as JSON");
				}
			}
			sorted.removeIf(context::isParked);
		}
		String value = switch (kind) {
			case MAP -> map(context, sorted);
			case ROLLUP -> rollup(context, sorted);
			case COUNTER -> counter(context, sorted);
			case DIRECT -> direct(context, sorted);
		};
		List<LogicalEntry> kept = sorted.stream().filter((entry) -> !context.isParked(entry)).toList();
		// A direct key's raw value is its bytes: counted and sent as they are.
		boolean raw = kind == PackKind.DIRECT && kept.size() == 1 && kept.get(0).base64();
		if (raw && value != null) {
			value = RawBytes.unquote(value);
			long bytes = RawBytes.decodedLength(value);
			if (bytes > KvLimits.MAX_VALUE_BYTES) {
				String reason = context.tooBig(bytes);
				sorted.forEach((entry) -> context.parkWhole(entry, reason));
				value = null;
			}
		}
		else if (value != null && KvLimits.utf8Length(value) > KvLimits.MAX_VALUE_BYTES) {
			value = (kind == PackKind.MAP) ? fitMap(context, sorted) : parkAll(context, sorted, value);
		}
		kept = sorted.stream().filter((entry) -> !context.isParked(entry)).toList();
		PhysicalValue packed = (value != null && !kept.isEmpty())
				? new PhysicalValue(physicalKey, value, expiresAt(kept), raw) : null;
		return new Packing(packed, List.copyOf(context.parked));
	}

	/**
	 * The map's compact JSON, put together from each field's compact text: the text a
	 * JSON writer gives for the whole object, but made in one copy (see
	 * {@link PlainJson}); a plain string entry is used as it is stored, without parsing.
	 */
	private @Nullable String map(Context context, List<LogicalEntry> entries) {
		Map<String, String> texts = mapValues(context, entries, (entry) -> compactText(context, entry));
		if (texts.isEmpty()) {
			return null;
		}
		List<String> parts = new ArrayList<>(4 * texts.size() + 1);
		parts.add("{");
		texts.forEach((field, json) -> {
			if (parts.size() > 1) {
				parts.add(",");
			}
			parts.add(write(this.mapper.getNodeFactory().stringNode(field)));
			parts.add(":");
			parts.add(json);
		});
		parts.add("}");
		return String.join("", parts);
	}

	private ObjectNode mapObject(Context context, List<LogicalEntry> entries) {
		ObjectNode object = this.mapper.createObjectNode();
		mapValues(context, entries, (entry) -> parse(context, entry)).forEach(object::set);
		return object;
	}

	/**
	 * The map's fields, each with the value {@code read} makes of its entry; an entry
	 * without a field, one whose field an earlier entry has, and one {@code read} makes
	 * nothing of (it parks that entry) are left out.
	 */
	private <T> Map<String, T> mapValues(Context context, List<LogicalEntry> entries, EntryReader<T> read) {
		Map<String, LogicalEntry> byField = new TreeMap<>();
		Map<String, T> values = new TreeMap<>();
		for (LogicalEntry entry : entries) {
			if (context.isParked(entry)) {
				continue;
			}
			String field = entry.field();
			if (field == null) {
				context.park(entry, "logical key \"" + entry.logicalKey() + "\" has no field");
				continue;
			}
			LogicalEntry other = byField.get(field);
			if (other != null) {
				// Entries come sorted by logical key: the first one keeps the field.
				context.park(entry, "logical keys \"" + other.logicalKey() + "\" and \"" + entry.logicalKey()
						+ "\" both land in field \"" + field + "\"");
				continue;
			}
			T value = read.read(entry);
			if (value != null) {
				byField.put(field, entry);
				values.put(field, value);
			}
		}
		return values;
	}

	/** An entry's value as compact JSON, or {@code null} when it is parked. */
	private @Nullable String compactText(Context context, LogicalEntry entry) {
		if (PlainJson.isPlainLiteral(entry.valueJson())) {
			return entry.valueJson();
		}
		JsonNode node = parse(context, entry);
		return (node != null) ? write(node) : null;
	}

	/** Makes a field's value of an entry, or parks the entry and answers {@code null}. */
	@FunctionalInterface
	private interface EntryReader<T> {

		@Nullable T read(LogicalEntry entry);

	}

	/**
	 * Parks map entries, last field first, until the value fits KV's limit: the fields
	 * are kept in order as long as they fit, and every one after the first that does not
	 * is parked.
	 */
	private @Nullable String fitMap(Context context, List<LogicalEntry> entries) {
		ObjectNode object = mapObject(context, entries);
		String tooBig = context.tooBig(write(object));
		Map<String, LogicalEntry> byField = new TreeMap<>();
		for (LogicalEntry entry : entries) {
			if (!context.isParked(entry)) {
				byField.put(entry.field(), entry);
			}
		}
		// The braces, then each field as "name":value, with a comma between two.
		long bytes = 2;
		boolean full = false;
		ObjectNode fits = this.mapper.createObjectNode();
		for (Map.Entry<String, LogicalEntry> field : byField.entrySet()) {
			JsonNode node = object.get(field.getKey());
			long cost = KvLimits.utf8Length(write(this.mapper.getNodeFactory().stringNode(field.getKey()))) + 1
					+ KvLimits.utf8Length(write(node)) + (fits.isEmpty() ? 0 : 1);
			full = full || bytes + cost > KvLimits.MAX_VALUE_BYTES;
			if (full) {
				context.parkWhole(field.getValue(), tooBig);
			}
			else {
				fits.set(field.getKey(), node);
				bytes += cost;
			}
		}
		return fits.isEmpty() ? null : write(fits);
	}

	private @Nullable String parkAll(Context context, List<LogicalEntry> entries, String value) {
		String reason = context.tooBig(value);
		for (LogicalEntry entry : entries) {
			if (!context.isParked(entry)) {
				context.parkWhole(entry, reason);
			}
		}
		return null;
	}

	private @Nullable JsonNode parse(Context context, LogicalEntry entry) {
		try {
			JsonNode node = this.reader.readValue(entry.valueJson());
			if (node == null || node.isMissingNode()) {
				context.park(entry, "the value of logical key \"" + entry.logicalKey() + "\" is empty");
				return null;
			}
			return node;
		}
		catch (JacksonException ex) {
			context.park(entry, "the value of logical key \"" + entry.logicalKey() + "\" is not valid JSON: "
					+ ex.getOriginalMessage());
			return null;
		}
	}

	private @Nullable String rollup(Context context, List<LogicalEntry> entries) {
		Map<String, List<LogicalEntry>> byType = new TreeMap<>();
		for (LogicalEntry entry : entries) {
			if (entry.metric() == null) {
				context.park(entry, "logical key \"" + entry.logicalKey() + "\" has no metric to roll up");
			}
			else if (entry.field() == null) {
				context.park(entry, "logical key \"" + entry.logicalKey() + "\" has no field");
			}
			else {
				byType.computeIfAbsent(entry.field(), (type) -> new ArrayList<>()).add(entry);
			}
		}
		ObjectNode object = this.mapper.createObjectNode();
		byType.forEach((type, metrics) -> {
			ObjectNode stats = stats(context, type, metrics);
			if (stats != null) {
				object.set(type, stats);
			}
		});
		return object.isEmpty() ? null : write(object);
	}

	private @Nullable ObjectNode stats(Context context, String type, List<LogicalEntry> entries) {
		// Floating-point addition is not associative: a fixed order keeps the sum stable,
		// and decides which entry is parked when the sum would overflow.
		List<LogicalEntry> sorted = new ArrayList<>(entries);
		sorted
			.sort(Comparator.comparing((LogicalEntry entry) -> entry.metric()).thenComparing(LogicalEntry::logicalKey));
		double sum = 0;
		long count = 0;
		double min = Double.POSITIVE_INFINITY;
		double max = Double.NEGATIVE_INFINITY;
		for (LogicalEntry entry : sorted) {
			double metric = Objects.requireNonNull(entry.metric(), "a rollup entry's metric");
			if (!Double.isFinite(metric) || !Double.isFinite(sum + metric)) {
				context.park(entry, "the sum of \"" + type + "\" overflows a double");
				continue;
			}
			sum += metric;
			count++;
			min = Math.min(min, metric);
			max = Math.max(max, metric);
		}
		if (count == 0) {
			return null;
		}
		ObjectNode stats = this.mapper.createObjectNode();
		stats.put("count", count);
		number(stats, "sum", sum);
		number(stats, "min", min);
		number(stats, "max", max);
		return stats;
	}

	private static void number(ObjectNode node, String name, double value) {
		if (value == Math.rint(value) && Math.abs(value) < LONG_RANGE) {
			node.put(name, (long) value);
		}
		else {
			node.put(name, value);
		}
	}

	private @Nullable String counter(Context context, List<LogicalEntry> entries) {
		@Nullable BigInteger max = null;
		for (LogicalEntry entry : entries) {
			BigInteger value = counterValue(context, entry);
			if (value != null) {
				max = (max == null || value.compareTo(max) > 0) ? value : max;
			}
		}
		return (max != null) ? String.valueOf(max) : null;
	}

	private @Nullable BigInteger counterValue(Context context, LogicalEntry entry) {
		JsonNode node = parse(context, entry);
		if (node == null) {
			return null;
		}
		if (node.isIntegralNumber() && node.bigIntegerValue().signum() >= 0) {
			return node.bigIntegerValue();
		}
		if (node.isString() && isDigits(node.asString())) {
			return new BigInteger(node.asString());
		}
		context.park(entry, "the value of logical key \"" + entry.logicalKey()
				+ "\" must be a whole number (or a string of digits) of at least 0, got " + entry.valueJson());
		return null;
	}

	private static boolean isDigits(String text) {
		return !text.isEmpty() && text.chars().allMatch((c) -> c >= '0' && c <= '9');
	}

	private @Nullable String direct(Context context, List<LogicalEntry> entries) {
		if (entries.isEmpty()) {
			return null;
		}
		// Entries come sorted by logical key; the one named like the key comes first.
		LogicalEntry kept = entries.stream()
			.filter((entry) -> entry.logicalKey().equals(context.physicalKey()))
			.findFirst()
			.orElse(entries.get(0));
		for (LogicalEntry entry : entries) {
			if (entry != kept) {
				context.park(entry, "a direct key holds exactly one entry, got " + entries.size());
			}
		}
		return kept.valueJson();
	}

	/**
	 * Written as UTF-8 bytes, not as a string: Jackson builds a string from a buffer of
	 * UTF-16 chars, twice the bytes of a 25 MiB value at a time.
	 */
	private String write(JsonNode node) {
		return new String(this.writer.writeValueAsBytes(node), StandardCharsets.UTF_8);
	}

	private static @Nullable Long expiresAt(List<LogicalEntry> entries) {
		long latest = Long.MIN_VALUE;
		for (LogicalEntry entry : entries) {
			Long expiresAt = entry.expiresAt();
			if (expiresAt == null) {
				// One entry that never expires keeps the whole physical key alive
				return null;
			}
			latest = Math.max(latest, expiresAt);
		}
		return latest;
	}

	/**
	 * The outcome of {@link #packParking}.
	 *
	 * @param value the value of the entries kept, or {@code null} if none is left
	 * @param parked the entries left out, with why
	 */
	public record Packing(@Nullable PhysicalValue value, List<Parked> parked) {
	}

	/**
	 * An entry left out of its physical key's value.
	 *
	 * @param entry the entry
	 * @param field what is wrong with it: {@code key} (where it lands) or {@code value}
	 * @param reason why, naming the physical key and the rule
	 */
	public record Parked(LogicalEntry entry, String field, String reason) {
	}

	/**
	 * The physical key and rule being packed, for messages, and the entries parked so
	 * far. Not thread-safe: one per call.
	 */
	private static final class Context {

		private final String physicalKey;

		private final String rule;

		private final List<Parked> parked = new ArrayList<>();

		private final java.util.Set<String> parkedKeys = new java.util.HashSet<>();

		Context(String physicalKey, String rule) {
			this.physicalKey = physicalKey;
			this.rule = rule;
		}

		String physicalKey() {
			return this.physicalKey;
		}

		String prefix() {
			return "physical key \"" + this.physicalKey + "\" (rule " + this.rule + ")";
		}

		PackException error(String problem) {
			return new PackException(prefix() + ": " + problem);
		}

		void park(LogicalEntry entry, String problem) {
			parkWhole(entry, prefix() + ": " + problem);
		}

		void parkWhole(LogicalEntry entry, String reason) {
			if (this.parkedKeys.add(entry.logicalKey())) {
				boolean keyProblem = reason.contains("both land in field") || reason.contains("has no field")
						|| reason.contains("a direct key holds exactly one entry");
				this.parked.add(new Parked(entry, keyProblem ? "key" : "value", reason));
			}
		}

		boolean isParked(LogicalEntry entry) {
			return this.parkedKeys.contains(entry.logicalKey());
		}

		String tooBig(String value) {
			return tooBig(KvLimits.utf8Length(value));
		}

		String tooBig(long bytes) {
			// Round up so that a value just over the limit never reads as "25.0 MiB"
			double mebibytes = Math.ceil(bytes * 10.0 / (1024 * 1024)) / 10;
			return String.format(Locale.ROOT,
					"physical key \"%s\" (rule %s) would be %.1f MiB (%d bytes), over KV's 25 MiB value limit",
					this.physicalKey, this.rule, mebibytes, bytes);
		}

	}

}
