package dev.kvbatch.pack;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

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
	 * Pack the live entries of one physical key.
	 * @param physicalKey the physical key
	 * @param rule the name of the rule that placed every entry
	 * @param kind that rule's kind
	 * @param entries the live entries of the physical key, all placed by {@code rule};
	 * not empty
	 * @return the physical value; it expires at the latest {@code expiresAt} of the
	 * entries, or never if any entry never expires
	 * @throws PackException if there are no entries; a map entry has no field, two map
	 * entries share a field or a value is not JSON; a rollup entry has no metric or a sum
	 * overflows; a counter value is not a whole number; a direct key has more than one
	 * entry; or the value would exceed KV's 25 MiB limit. The message names the physical
	 * key and the rule.
	 */
	public PhysicalValue pack(String physicalKey, String rule, PackKind kind, List<LogicalEntry> entries) {
		Context context = new Context(physicalKey, rule);
		if (entries.isEmpty()) {
			throw context.error("nothing to pack (no live entries)");
		}
		String value = switch (kind) {
			case MAP -> map(context, entries);
			case ROLLUP -> rollup(context, entries);
			case COUNTER -> counter(context, entries);
			case DIRECT -> direct(context, entries);
		};
		long bytes = KvLimits.utf8Length(value);
		if (bytes > KvLimits.MAX_VALUE_BYTES) {
			// Round up so that a value just over the limit never reads as "25.0 MiB"
			double mebibytes = Math.ceil(bytes * 10.0 / (1024 * 1024)) / 10;
			throw new PackException(String.format(Locale.ROOT,
					"physical key \"%s\" (rule %s) would be %.1f MiB (%d bytes), over KV's 25 MiB value limit",
					physicalKey, rule, mebibytes, bytes));
		}
		return new PhysicalValue(physicalKey, value, expiresAt(entries));
	}

	private String map(Context context, List<LogicalEntry> entries) {
		Map<String, LogicalEntry> byField = new TreeMap<>();
		for (LogicalEntry entry : entries) {
			String field = context.field(entry);
			LogicalEntry other = byField.putIfAbsent(field, entry);
			if (other != null) {
				// Sorted, so that the message does not depend on entry order either
				List<String> keys = List.of(other.logicalKey(), entry.logicalKey()).stream().sorted().toList();
				throw context.error("logical keys \"" + keys.get(0) + "\" and \"" + keys.get(1)
						+ "\" both land in field \"" + field + "\"");
			}
		}
		ObjectNode object = this.mapper.createObjectNode();
		byField.forEach((field, entry) -> object.set(field, parse(context, entry)));
		return write(object);
	}

	private JsonNode parse(Context context, LogicalEntry entry) {
		try {
			JsonNode node = this.reader.readValue(entry.valueJson());
			if (node == null || node.isMissingNode()) {
				throw context.error("the value of logical key \"" + entry.logicalKey() + "\" is empty");
			}
			return node;
		}
		catch (JacksonException ex) {
			throw new PackException(context.prefix() + ": the value of logical key \"" + entry.logicalKey()
					+ "\" is not valid JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	private String rollup(Context context, List<LogicalEntry> entries) {
		Map<String, List<Double>> byType = new TreeMap<>();
		for (LogicalEntry entry : entries) {
			Double metric = entry.metric();
			if (metric == null) {
				throw context.error("logical key \"" + entry.logicalKey() + "\" has no metric to roll up");
			}
			byType.computeIfAbsent(context.field(entry), (type) -> new ArrayList<>()).add(metric);
		}
		ObjectNode object = this.mapper.createObjectNode();
		byType.forEach((type, metrics) -> object.set(type, stats(context, type, metrics)));
		return write(object);
	}

	private ObjectNode stats(Context context, String type, List<Double> metrics) {
		// Floating-point addition is not associative: a fixed order keeps the sum stable
		metrics.sort(Comparator.naturalOrder());
		double sum = 0;
		for (double metric : metrics) {
			sum += metric;
		}
		if (!Double.isFinite(sum)) {
			throw context.error("the sum of \"" + type + "\" overflows a double");
		}
		ObjectNode stats = this.mapper.createObjectNode();
		stats.put("count", metrics.size());
		number(stats, "sum", sum);
		number(stats, "min", metrics.get(0));
		number(stats, "max", metrics.get(metrics.size() - 1));
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

	private String counter(Context context, List<LogicalEntry> entries) {
		@Nullable BigInteger max = null;
		for (LogicalEntry entry : entries) {
			BigInteger value = counterValue(context, entry);
			max = (max == null || value.compareTo(max) > 0) ? value : max;
		}
		return String.valueOf(max);
	}

	private BigInteger counterValue(Context context, LogicalEntry entry) {
		JsonNode node = parse(context, entry);
		if (node.isIntegralNumber() && node.bigIntegerValue().signum() >= 0) {
			return node.bigIntegerValue();
		}
		if (node.isString() && isDigits(node.asString())) {
			return new BigInteger(node.asString());
		}
		throw context.error("the value of logical key \"" + entry.logicalKey()
				+ "\" must be a whole number (or a string of digits) of at least 0, got " + entry.valueJson());
	}

	private static boolean isDigits(String text) {
		return !text.isEmpty() && text.chars().allMatch((c) -> c >= '0' && c <= '9');
	}

	private String direct(Context context, List<LogicalEntry> entries) {
		if (entries.size() != 1) {
			throw context.error("a direct key holds exactly one entry, got " + entries.size());
		}
		return entries.get(0).valueJson();
	}

	/**
	 * Written as UTF-8 bytes, not as a string: Jackson builds a string from a buffer of
	 * UTF-16 chars, twice the bytes of a 25 MiB value at a time.
	 */
	private String write(ObjectNode object) {
		return new String(this.writer.writeValueAsBytes(object), StandardCharsets.UTF_8);
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
	 * The physical key and rule being packed, for error messages.
	 */
	private record Context(String physicalKey, String rule) {

		String prefix() {
			return "physical key \"" + this.physicalKey + "\" (rule " + this.rule + ")";
		}

		PackException error(String problem) {
			return new PackException(prefix() + ": " + problem);
		}

		String field(LogicalEntry entry) {
			String field = entry.field();
			if (field == null) {
				throw error("logical key \"" + entry.logicalKey() + "\" has no field");
			}
			return field;
		}

	}

}
