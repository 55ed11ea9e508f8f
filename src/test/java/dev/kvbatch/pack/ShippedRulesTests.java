package dev.kvbatch.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every row of the contract's packing table, through the shipped
 * {@code jobs/packing.yaml}: logical keys are placed, grouped by physical key and packed
 * as the batch job does.
 */
class ShippedRulesTests {

	private static final Instant AT = Instant.parse("2024-03-10T13:30:00Z");

	private static PackingRules rules;

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final Packer packer = new Packer(this.mapper);

	@BeforeAll
	static void parseShippedRules() throws IOException {
		// Maven runs tests in the project's base directory
		rules = PackingRules.parse(Files.readString(Path.of("jobs/packing.yaml")));
	}

	@Test
	void shipsTheContractRulesInOrder() {
		assertThat(rules.rules()).containsExactly(
				new PackRule("mobile-mapping", PackKind.MAP, "mobile-mapping:{device}:{task}", "mobile-batch:{device}",
						"{task}"),
				new PackRule("sync-hash", PackKind.MAP, "hash:{fingerprint}", "sync-state:batch", "{fingerprint}"),
				new PackRule("webhook-delivery", PackKind.MAP, "webhook-delivery:{id}", "webhook-batch:{at:day}",
						"{id}"),
				new PackRule("metrics", PackKind.ROLLUP, "metrics:{type}:{ts}:{rand}", "metrics:hour:{ts:hour}",
						"{type}"),
				new PackRule("counter", PackKind.COUNTER, "__counter", null, null));
	}

	@Test
	void mapsMobileMappingsIntoOneKeyPerDevice() {
		assertThat(rules.place("mobile-mapping:phone-1:sync", AT))
			.isEqualTo(new Placement("mobile-mapping", PackKind.MAP, "mobile-batch:phone-1", "sync"));
		PhysicalValue phone1 = packOne(List.of(put("mobile-mapping:phone-1:sync", "{\"on\": true}"),
				put("mobile-mapping:phone-1:backup", "\"nightly\"")));
		assertThat(phone1.key()).isEqualTo("mobile-batch:phone-1");
		assertThat(phone1.value()).isEqualTo("{\"backup\":\"nightly\",\"sync\":{\"on\":true}}");
		assertThat(rules.place("mobile-mapping:phone-2:sync", AT).physicalKey()).isEqualTo("mobile-batch:phone-2");
	}

	@Test
	void mapsHashesIntoTheOneSyncStateBatch() {
		assertThat(rules.place("hash:ab12", AT))
			.isEqualTo(new Placement("sync-hash", PackKind.MAP, "sync-state:batch", "ab12"));
		PhysicalValue batch = packOne(List.of(put("hash:ff00", "{\"size\":10}"), put("hash:ab12", "1")));
		assertThat(batch.key()).isEqualTo("sync-state:batch");
		assertThat(batch.value()).isEqualTo("{\"ab12\":1,\"ff00\":{\"size\":10}}");
	}

	@Test
	void mapsWebhookDeliveriesIntoOneKeyPerUtcDayOfTheEventTime() {
		assertThat(rules.place("webhook-delivery:d-1", AT))
			.isEqualTo(new Placement("webhook-delivery", PackKind.MAP, "webhook-batch:2024-03-10", "d-1"));
		PhysicalValue day = packOne(List.of(put("webhook-delivery:d-2", "{\"status\":500}"),
				put("webhook-delivery:d-1", "{\"status\":200}")));
		assertThat(day.key()).isEqualTo("webhook-batch:2024-03-10");
		assertThat(day.value()).isEqualTo("{\"d-1\":{\"status\":200},\"d-2\":{\"status\":500}}");
	}

	@Test
	void bucketsWebhookDeliveriesByUtcDayAtMidnight() {
		assertThat(rules.place("webhook-delivery:d-1", Instant.parse("2024-03-09T23:59:59.999Z")).physicalKey())
			.isEqualTo("webhook-batch:2024-03-09");
		assertThat(rules.place("webhook-delivery:d-1", Instant.parse("2024-03-10T00:00:00Z")).physicalKey())
			.isEqualTo("webhook-batch:2024-03-10");
	}

	@Test
	void rollsUpMetricsPerTypeIntoOneKeyPerUtcHourOfTheirTimestamp() {
		// 1710077400000 is 2024-03-10T13:30:00Z; the event time does not matter
		assertThat(rules.place("metrics:latency:1710077400000:r1", Instant.EPOCH))
			.isEqualTo(new Placement("metrics", PackKind.ROLLUP, "metrics:hour:2024-03-10T13", "latency"));
		PhysicalValue hour = packOne(List.of(put("metrics:latency:1710077400000:r1", "12.5"),
				put("metrics:latency:1710077400001:r2", "{\"value\": 7, \"unit\": \"ms\"}"),
				put("metrics:latency:1710077400002:r3", "3"), put("metrics:errors:1710077400003:r4", "{\"value\":1}")));
		assertThat(hour.key()).isEqualTo("metrics:hour:2024-03-10T13");
		assertThat(hour.value()).isEqualTo("{\"errors\":{\"count\":1,\"sum\":1,\"min\":1,\"max\":1},"
				+ "\"latency\":{\"count\":3,\"sum\":22.5,\"min\":3,\"max\":12.5}}");
	}

	@Test
	void bucketsMetricsByUtcHourAtTheBoundary() {
		// 2024-03-09T23:59:59.999Z and 2024-03-10T00:00:00Z
		assertThat(rules.place("metrics:cpu:1710028799999:x", AT).physicalKey())
			.isEqualTo("metrics:hour:2024-03-09T23");
		assertThat(rules.place("metrics:cpu:1710028800000:x", AT).physicalKey())
			.isEqualTo("metrics:hour:2024-03-10T00");
	}

	@Test
	void rejectsAMetricTimestampThatIsNotEpochMillis() {
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> rules.place("metrics:cpu:2024-03-10T13:x", AT))
			.withMessage("logical key \"metrics:cpu:2024-03-10T13:x\" (rule metrics): "
					+ "{ts:hour} needs epoch milliseconds (digits), got \"2024-03-10T13\"");
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> rules.place("metrics:cpu:-5:x", AT))
			.withMessageContaining("(rule metrics)")
			.withMessageContaining("got \"-5\"");
	}

	@Test
	void rejectsAMetricThatIsNotNumeric() {
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> packOne(List.of(put("metrics:cpu:1710077400000:r1", "{\"value\":\"high\"}"))))
			.withMessageContaining("must be a number or an object with a numeric \"value\"");
	}

	@Test
	void storesTheCounterAsPlainDigits() {
		assertThat(rules.place("__counter", AT))
			.isEqualTo(new Placement("counter", PackKind.COUNTER, "__counter", null));
		PhysicalValue counter = packOne(List.of(put("__counter", "20")));
		assertThat(counter.key()).isEqualTo("__counter");
		assertThat(counter.value()).isEqualTo("20");
		assertThat(packOne(List.of(put("__counter", "\"21\""))).value()).isEqualTo("21");
	}

	@Test
	void storesAnyOtherKeyDirectlyUnderItsOwnName() {
		assertThat(rules.place("a15", AT)).isEqualTo(new Placement("direct", PackKind.DIRECT, "a15", null));
		assertThat(packOne(List.of(put("a15", "{\"title\":\"Album\"}"))))
			.isEqualTo(new PhysicalValue("a15", "{\"title\":\"Album\"}", null));
		assertThat(packOne(List.of(put("greeting", "\"hello\""))).value()).isEqualTo("\"hello\"");
		assertThat(packOne(List.of(put("answer", "42"))).value()).isEqualTo("42");
		// Near misses of the rules are direct keys too
		assertThat(rules.place("__counter2", AT).rule()).isEqualTo("direct");
		assertThat(rules.place("mobile-mapping:phone-1", AT).rule()).isEqualTo("direct");
		assertThat(rules.place("metrics:cpu:1710077400000", AT).rule()).isEqualTo("direct");
	}

	private static Staged put(String key, String valueJson) {
		return new Staged(key, valueJson, null);
	}

	/** Place and pack records that must all land in one physical key. */
	private PhysicalValue packOne(List<Staged> records) {
		List<LogicalEntry> entries = new ArrayList<>();
		Placement first = null;
		for (Staged record : records) {
			Placement placement = rules.place(record.key(), AT);
			if (first == null) {
				first = placement;
			}
			assertThat(placement.physicalKey()).isEqualTo(first.physicalKey());
			Double metric = (placement.kind() == PackKind.ROLLUP)
					? PackingRules.metricOf(this.mapper.readTree(record.valueJson())) : null;
			entries
				.add(new LogicalEntry(record.key(), placement.field(), record.valueJson(), metric, record.expiresAt()));
		}
		return this.packer.pack(first.physicalKey(), first.rule(), first.kind(), entries);
	}

	private record Staged(String key, String valueJson, @Nullable Long expiresAt) {
	}

}
