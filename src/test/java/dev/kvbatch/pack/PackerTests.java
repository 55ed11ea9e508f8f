package dev.kvbatch.pack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Packing the live entries of one physical key into its value.
 */
class PackerTests {

	private final Packer packer = new Packer(JsonMapper.builder().build());

	@Test
	void mapSortsFieldsAndEmbedsValuesAsCompactJson() {
		PhysicalValue value = this.packer.pack("k", "m", PackKind.MAP,
				List.of(field("c", "42"), field("a", "{ \"x\" : [1, 2] }"), field("b", "\"s\""), field("B", "null"),
						field("d", "{\"price\": 1.50, \"big\": 1e400, \"n\": 123456789012345678901}")));
		assertThat(value.value()).isEqualTo("{\"B\":null,\"a\":{\"x\":[1,2]},\"b\":\"s\",\"c\":42,"
				+ "\"d\":{\"price\":1.50,\"big\":1E+400,\"n\":123456789012345678901}}");
	}

	@Test
	void mapStaysCompactWhenTheMapperIndents() {
		Packer indenting = new Packer(JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build());
		assertThat(indenting.pack("k", "m", PackKind.MAP, List.of(field("a", "{\"x\":1}"))).value())
			.isEqualTo("{\"a\":{\"x\":1}}");
	}

	@Test
	void mapValueIsTheSameWhateverTheEntryOrder() {
		List<LogicalEntry> entries = List.of(field("delta", "4"), field("alpha", "{\"z\":1,\"a\":2}"),
				field("charlie", "[3]"), field("bravo", "\"two\""), field("écho", "5"));
		assertThat(packedPermutations(PackKind.MAP, entries))
			.containsExactly("{\"alpha\":{\"z\":1,\"a\":2},\"bravo\":\"two\",\"charlie\":[3],\"delta\":4,\"écho\":5}");
	}

	@Test
	void mapIsTheTextTheJsonWriterGivesForTheWholeObject() {
		// Fields and values with and without characters that need escaping: plain string
		// entries are used as stored, the others are written one by one.
		JsonMapper mapper = JsonMapper.builder().build();
		String[] texts = { "plain", "with \"quote\"", "a/b", "line\nbreak", "é", "back\\slash", "" };
		String[] values = { "\"plain\"", "\"a\\\"b\"", "\"a\\/b\"", "\"\\u0041\\n\"", "\"é\"", "1.50", "1e400",
				"{ \"k\" : [ \"v/\", 2 ] }", "null", "[]" };
		Random random = new Random(11);
		for (int round = 0; round < 200; round++) {
			List<LogicalEntry> entries = new ArrayList<>();
			Map<String, String> byField = new TreeMap<>();
			for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
				String field = texts[random.nextInt(texts.length)] + i;
				String value = values[random.nextInt(values.length)];
				entries.add(field(field, value));
				byField.put(field, value);
			}
			// The fields in order, each value parsed as packing parses it
			ObjectNode expected = mapper.createObjectNode();
			byField.forEach((field, value) -> expected.set(field,
					mapper.readerFor(JsonNode.class)
						.with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
						.readValue(value)));
			assertThat(this.packer.pack("k", "m", PackKind.MAP, entries).value()).as(entries.toString())
				.isEqualTo(mapper.writeValueAsString(expected));
		}
	}

	@Test
	void rollupValueIsTheSameWhateverTheEntryOrder() {
		// Summed in arrival order these give different doubles; sorted they always agree
		List<LogicalEntry> entries = List.of(metric("t", 0.1), metric("t", 1e16), metric("t", 0.2), metric("t", -1e16),
				metric("t", 0.3), metric("u", 1.0));
		Set<String> packed = packedPermutations(PackKind.ROLLUP, entries);
		assertThat(packed).hasSize(1);
		assertThat(packed.iterator().next()).startsWith("{\"t\":{\"count\":5,\"sum\":")
			.endsWith(",\"min\":-10000000000000000,\"max\":10000000000000000},"
					+ "\"u\":{\"count\":1,\"sum\":1,\"min\":1,\"max\":1}}");
	}

	@Test
	void rollupCountsSumsAndBoundsEachType() {
		PhysicalValue value = this.packer.pack("metrics:hour:2024-03-10T13", "metrics", PackKind.ROLLUP, List
			.of(metric("cpu", 3), metric("mem", 10), metric("cpu", 1.5), metric("cpu", 2), metric("disk", -0.25)));
		assertThat(value.value()).isEqualTo("{\"cpu\":{\"count\":3,\"sum\":6.5,\"min\":1.5,\"max\":3},"
				+ "\"disk\":{\"count\":1,\"sum\":-0.25,\"min\":-0.25,\"max\":-0.25},"
				+ "\"mem\":{\"count\":1,\"sum\":10,\"min\":10,\"max\":10}}");
	}

	@Test
	void rollupPrintsHugeIntegralNumbersAsDoubles() {
		assertThat(this.packer.pack("k", "r", PackKind.ROLLUP, List.of(metric("t", 1e20))).value())
			.isEqualTo("{\"t\":{\"count\":1,\"sum\":1.0E20,\"min\":1.0E20,\"max\":1.0E20}}");
	}

	@Test
	void rollupRejectsAnEntryWithoutAMetricOrAnOverflowingSum() {
		LogicalEntry noMetric = new LogicalEntry("metrics:t:1:r", "t", "\"x\"", null, null);
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("k", "metrics", PackKind.ROLLUP, List.of(noMetric)))
			.withMessage("physical key \"k\" (rule metrics): logical key \"metrics:t:1:r\" has no metric to roll up");
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("k", "metrics", PackKind.ROLLUP,
					List.of(metric("t", Double.MAX_VALUE), metric("t", Double.MAX_VALUE))))
			.withMessage("physical key \"k\" (rule metrics): the sum of \"t\" overflows a double");
	}

	@Test
	void counterTakesTheHighestValueAsPlainDigits() {
		PhysicalValue value = this.packer.pack("__counter", "counter", PackKind.COUNTER,
				List.of(counter("19"), counter("\"20\""), counter("7"), counter("\"0009\"")));
		assertThat(value.value()).isEqualTo("20");
		assertThat(this.packer.pack("__counter", "counter", PackKind.COUNTER, List.of(counter("\"0042\""))).value())
			.isEqualTo("42");
		assertThat(this.packer
			.pack("__counter", "counter", PackKind.COUNTER, List.of(counter("123456789012345678901234567890")))
			.value()).isEqualTo("123456789012345678901234567890");
	}

	@Test
	void counterRejectsAValueThatIsNotAWholeNumber() {
		for (String json : new String[] { "1.5", "-1", "\"-1\"", "\"12a\"", "\"\"", "{\"n\":1}", "true" }) {
			assertThatExceptionOfType(PackException.class)
				.isThrownBy(() -> this.packer.pack("__counter", "counter", PackKind.COUNTER, List.of(counter(json))))
				.withMessage("physical key \"__counter\" (rule counter): the value of logical key \"__counter\" must "
						+ "be a whole number (or a string of digits) of at least 0, got " + json);
		}
	}

	@Test
	void directStoresTheValueAsIs() {
		LogicalEntry entry = new LogicalEntry("a15", null, "{\"title\":\"Album\"}", null, 1_800_000_000L);
		assertThat(this.packer.pack("a15", "direct", PackKind.DIRECT, List.of(entry)))
			.isEqualTo(new PhysicalValue("a15", "{\"title\":\"Album\"}", 1_800_000_000L));
	}

	@Test
	void directRejectsMoreThanOneEntry() {
		LogicalEntry entry = new LogicalEntry("a15", null, "1", null, null);
		LogicalEntry other = new LogicalEntry("a15-old", null, "2", null, null);
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("a15", "direct", PackKind.DIRECT, List.of(other, entry)))
			.withMessage("physical key \"a15\" (rule direct): a direct key holds exactly one entry, got 2");
		assertThat(this.packer.packParking("a15", "direct", PackKind.DIRECT, List.of(other, entry)))
			.isEqualTo(new Packer.Packing(new PhysicalValue("a15", "1", null), List.of(new Packer.Parked(other, "key",
					"physical key \"a15\" (rule direct): a direct key holds exactly one entry, got 2"))));
	}

	@Test
	void rollupParksTheEntryThatWouldOverflowItsSumAndKeepsTheRestWhateverTheOrder() {
		LogicalEntry first = new LogicalEntry("metrics:t:1:a", "t", "1.5e308", 1.5e308, null);
		LogicalEntry second = new LogicalEntry("metrics:t:1:b", "t", "1.5e308", 1.5e308, null);
		LogicalEntry small = metric("t", 2);
		LogicalEntry other = metric("u", 1);
		Set<Packer.Packing> packings = new HashSet<>();
		List<LogicalEntry> entries = new ArrayList<>(List.of(second, small, other, first));
		Random random = new Random(7);
		for (int i = 0; i < 20; i++) {
			packings.add(this.packer.packParking("metrics:hour:2026-11-23T10", "metrics", PackKind.ROLLUP, entries));
			Collections.shuffle(entries, random);
		}
		assertThat(packings).singleElement().satisfies((packing) -> {
			assertThat(packing.value().value())
				.isEqualTo("{\"t\":{\"count\":2,\"sum\":1.5E308,\"min\":2,\"max\":1.5E308},"
						+ "\"u\":{\"count\":1,\"sum\":1,\"min\":1,\"max\":1}}");
			assertThat(packing.parked()).singleElement()
				.isEqualTo(new Packer.Parked(second, "value",
						"physical key \"metrics:hour:2026-11-23T10\" (rule metrics): the sum of \"t\" overflows a double"));
		});
	}

	@Test
	void mapParksItsBadEntriesAndKeepsTheOthers() {
		Packer.Packing packing = this.packer.packParking("k", "m", PackKind.MAP,
				List.of(field("a", "1"), field("b", "{\"x\":"), new LogicalEntry("y:a", "a", "2", null, null),
						new LogicalEntry("nofield", null, "3", null, null)));
		assertThat(packing.value().value()).isEqualTo("{\"a\":1}");
		assertThat(packing.parked()).extracting((parked) -> parked.entry().logicalKey())
			.containsExactlyInAnyOrder("key:b", "y:a", "nofield");
	}

	@Test
	void mapOver25MebibytesParksItsLastFieldsUntilItFits() {
		String big = "\"" + "x".repeat(13_788_760) + "\"";
		Packer.Packing packing = this.packer.packParking("sync-state:batch", "sync-hash", PackKind.MAP,
				List.of(new LogicalEntry("hash:b", "b", big, null, null),
						new LogicalEntry("hash:a", "a", big, null, null),
						new LogicalEntry("hash:c", "c", "1", null, null)));
		assertThat(packing.value().value()).startsWith("{\"a\":\"xxx").hasSize(13_788_762 + 6);
		assertThat(packing.parked()).extracting((parked) -> parked.entry().logicalKey())
			.containsExactly("hash:b", "hash:c");
	}

	@Test
	void keyWhoseEveryEntryIsParkedHasNoValue() {
		LogicalEntry noMetric = new LogicalEntry("metrics:t:1:r", "t", "\"x\"", null, null);
		assertThat(this.packer.packParking("k", "metrics", PackKind.ROLLUP, List.of(noMetric)).value()).isNull();
	}

	@Test
	void expiresWithTheLatestEntry() {
		PhysicalValue value = this.packer.pack("k", "m", PackKind.MAP, List.of(field("a", "1", 1_700_000_500L),
				field("b", "2", 1_700_000_900L), field("c", "3", 1_700_000_100L)));
		assertThat(value.expiresAt()).isEqualTo(1_700_000_900L);
	}

	@Test
	void neverExpiresIfAnyEntryNeverExpires() {
		PhysicalValue value = this.packer.pack("k", "m", PackKind.MAP,
				List.of(field("a", "1", 1_700_000_500L), field("b", "2", null), field("c", "3", 1_700_000_900L)));
		assertThat(value.expiresAt()).isNull();
	}

	@Test
	void rejectsAValueOver25Mebibytes() {
		// Two 13.8 MB values: each parses within Jackson's limits, together too big for
		// KV
		String big = "\"" + "x".repeat(13_788_760) + "\"";
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("sync-state:batch", "sync-hash", PackKind.MAP,
					List.of(new LogicalEntry("hash:a", "a", big, null, null),
							new LogicalEntry("hash:b", "b", big, null, null))))
			.withMessage("physical key \"sync-state:batch\" (rule sync-hash) would be 26.3 MiB (27577535 bytes), "
					+ "over KV's 25 MiB value limit");
	}

	@Test
	void acceptsAValueOfExactly25MebibytesAndCountsUtf8Bytes() {
		String limit = "x".repeat(26_214_400);
		assertThat(this.packer.pack("k", "direct", PackKind.DIRECT, List.of(direct(limit))).value())
			.hasSize(26_214_400);
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("k", "direct", PackKind.DIRECT, List.of(direct(limit + "x"))))
			.withMessage("physical key \"k\" (rule direct) would be 25.1 MiB (26214401 bytes), "
					+ "over KV's 25 MiB value limit");
		// 13,107,201 characters of two bytes each
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("k", "direct", PackKind.DIRECT, List.of(direct("é".repeat(13_107_201)))))
			.withMessageContaining("(26214402 bytes)");
	}

	@Test
	void mapRejectsTwoEntriesInOneField() {
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("k", "m", PackKind.MAP,
					List.of(new LogicalEntry("z:f", "f", "1", null, null),
							new LogicalEntry("y:f", "f", "2", null, null))))
			.withMessage("physical key \"k\" (rule m): logical keys \"y:f\" and \"z:f\" both land in field \"f\"");
	}

	@Test
	void mapRejectsAValueThatIsNotJsonOrAnEntryWithoutField() {
		for (String json : new String[] { "{\"a\":", "hello", "1 2", "" }) {
			assertThatExceptionOfType(PackException.class)
				.isThrownBy(() -> this.packer.pack("k", "m", PackKind.MAP, List.of(field("f", json))))
				.withMessageStartingWith("physical key \"k\" (rule m): the value of logical key \"key:f\" is ");
		}
		assertThatExceptionOfType(PackException.class).isThrownBy(
				() -> this.packer.pack("k", "m", PackKind.MAP, List.of(new LogicalEntry("key", null, "1", null, null))))
			.withMessage("physical key \"k\" (rule m): logical key \"key\" has no field");
	}

	@Test
	void rejectsPackingNothing() {
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> this.packer.pack("k", "m", PackKind.MAP, List.of()))
			.withMessage("physical key \"k\" (rule m): nothing to pack (no live entries)");
	}

	/** The distinct values packed from many orderings of the entries. */
	private Set<String> packedPermutations(PackKind kind, List<LogicalEntry> entries) {
		Set<String> packed = new HashSet<>();
		Random random = new Random(42);
		List<LogicalEntry> shuffled = new ArrayList<>(entries);
		for (int i = 0; i < 50; i++) {
			packed.add(this.packer.pack("k", "rule", kind, List.copyOf(shuffled)).value());
			Collections.shuffle(shuffled, random);
		}
		return packed;
	}

	private static LogicalEntry field(String field, String valueJson) {
		return field(field, valueJson, null);
	}

	private static LogicalEntry field(String field, String valueJson, @Nullable Long expiresAt) {
		return new LogicalEntry("key:" + field, field, valueJson, null, expiresAt);
	}

	private static LogicalEntry metric(String type, double metric) {
		return new LogicalEntry("metrics:" + type + ":" + metric, type, String.valueOf(metric), metric, null);
	}

	private static LogicalEntry counter(String valueJson) {
		return new LogicalEntry("__counter", null, valueJson, null, null);
	}

	private static LogicalEntry direct(String valueJson) {
		return new LogicalEntry("k", null, valueJson, null, null);
	}

}
