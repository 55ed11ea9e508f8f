package dev.kvbatch.pack;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Matching logical keys and placing them: templates, time buckets and KV's key limits.
 */
class PackingRulesTests {

	private static final Instant AT = Instant.parse("2024-03-10T13:30:00Z");

	private static final PackingRules RULES = PackingRules.parse("""
			rules:
			  - name: mobile-mapping
			    match: "mobile-mapping:{device}:{task}"
			    pack: map
			    key: "mobile-batch:{device}"
			    field: "{task}"
			  - name: hourly
			    match: "ev:{kind}:{ts}:{id}"
			    pack: map
			    key: "events:{kind}:{ts:day}:{at:hour}"
			    field: "{ts}/{id}"
			  - name: exempt
			    match: "special:{name}"
			    pack: direct
			  - name: special
			    match: "special:{group}:{name}"
			    pack: map
			    key: "specials:{group}"
			    field: "{name}"
			""");

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void lastVariableTakesTheRestOfTheKeyIncludingColons() {
		assertThat(RULES.place("mobile-mapping:phone:a:b:c", AT))
			.isEqualTo(new Placement("mobile-mapping", PackKind.MAP, "mobile-batch:phone", "a:b:c"));
	}

	@Test
	void innerVariablesStopAtColons() {
		assertThat(RULES.place("ev:click:1710028800000:x:y", AT)).isEqualTo(
				new Placement("hourly", PackKind.MAP, "events:click:2024-03-10:2024-03-10T13", "1710028800000/x:y"));
		// {kind} and {ts} take one segment each, so the key needs a fourth for {id}
		assertThat(RULES.place("ev:click:1710028800000", AT).rule()).isEqualTo("direct");
	}

	@Test
	void variablesNeedAtLeastOneCharacter() {
		assertThat(RULES.place("mobile-mapping:phone:", AT).rule()).isEqualTo("direct");
		assertThat(RULES.place("mobile-mapping::task", AT).rule()).isEqualTo("direct");
	}

	@Test
	void firstMatchingRuleWins() {
		// "exempt" comes first and takes everything after "special:", colons included
		assertThat(RULES.place("special:g:n", AT))
			.isEqualTo(new Placement("exempt", PackKind.DIRECT, "special:g:n", null));
	}

	@Test
	void formatsTheEventTimeInUtcWhateverTheDefaultZone() {
		assertThat(RULES.place("ev:k:1710028799999:i", Instant.parse("2024-03-10T00:59:59.999Z")).physicalKey())
			.isEqualTo("events:k:2024-03-09:2024-03-10T00");
		assertThat(RULES.place("ev:k:1710028800000:i", Instant.parse("2024-03-09T23:59:59.999Z")).physicalKey())
			.isEqualTo("events:k:2024-03-10:2024-03-09T23");
	}

	@Test
	void rejectsATimeVariableThatIsNotEpochMillis() {
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("ev:k:soon:i", AT))
			.withMessage("logical key \"ev:k:soon:i\" (rule hourly): "
					+ "{ts:day} needs epoch milliseconds (digits), got \"soon\"");
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("ev:k:1710028800000.5:i", AT))
			.withMessageContaining("got \"1710028800000.5\"");
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("ev:k:99999999999999999999:i", AT))
			.withMessageContaining("(rule hourly)");
	}

	@Test
	void acceptsADirectKeyOfExactly512Bytes() {
		String key = "k".repeat(512);
		assertThat(RULES.place(key, AT).physicalKey()).isEqualTo(key);
	}

	@Test
	void rejectsADirectKeyOver512Utf8Bytes() {
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("k".repeat(513), AT))
			.withMessageStartingWith("logical key \"kkk")
			.withMessageEndingWith("(rule direct): physical key \"" + "k".repeat(513)
					+ "\" is 513 UTF-8 bytes, over KV's 512-byte key limit");
		// 257 characters, but 514 bytes
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("é".repeat(257), AT))
			.withMessageEndingWith("is 514 UTF-8 bytes, over KV's 512-byte key limit");
	}

	@Test
	void rejectsAPackedPhysicalKeyOver512Bytes() {
		String device = "d".repeat(500);
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> RULES.place("mobile-mapping:" + device + ":task", AT))
			.withMessage("logical key \"mobile-mapping:" + device + ":task\" (rule mobile-mapping): physical key \""
					+ "mobile-batch:" + device + "\" is 513 UTF-8 bytes, over KV's 512-byte key limit");
	}

	@Test
	void rejectsKeysKvDoesNotAllow() {
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place(".", AT))
			.withMessage("logical key \".\" (rule direct): physical key \".\" is \".\", which KV does not allow");
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("..", AT))
			.withMessageContaining("which KV does not allow");
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("", AT))
			.withMessage("logical key \"\" (rule direct): physical key \"\" is empty");
		assertThat(RULES.place("...", AT).physicalKey()).isEqualTo("...");
	}

	@Test
	void refusesToStoreADirectKeyWhereAMapRulePacks() {
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> RULES.place("mobile-batch:phone", AT))
			.withMessage("logical key \"mobile-batch:phone\" (rule direct) would be stored as \"mobile-batch:phone\","
					+ " a key that rule mobile-mapping packs into; rename the key or add a rule for it");
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> RULES.place("events:k:2024-03-10:2024-03-10T13", AT))
			.withMessageContaining("rule hourly packs into");
		// {device} never holds a colon, so this key cannot be a mobile batch
		assertThat(RULES.place("mobile-batch:phone:x", AT).rule()).isEqualTo("direct");
	}

	@Test
	void refusesACounterWhoseKeyARollupUses() {
		PackingRules rules = PackingRules.parse("""
				rules:
				  - name: totals
				    match: "t:{type}:{ts}"
				    pack: rollup
				    key: "totals:{type}"
				    field: "{ts}"
				  - name: counter
				    match: "totals:seq"
				    pack: counter
				""");
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> rules.place("totals:seq", AT))
			.withMessageContaining("logical key \"totals:seq\" (rule counter)")
			.withMessageContaining("rule totals packs into");
	}

	@Test
	void takesTheMetricFromANumberOrItsValueProperty() {
		assertThat(PackingRules.metricOf(this.mapper.readTree("3"))).isEqualTo(3.0);
		assertThat(PackingRules.metricOf(this.mapper.readTree("-2.25"))).isEqualTo(-2.25);
		assertThat(PackingRules.metricOf(this.mapper.readTree("{\"value\": 7.5, \"unit\": \"ms\"}"))).isEqualTo(7.5);
	}

	@Test
	void rejectsAMetricThatIsNotANumber() {
		for (String json : new String[] { "\"7\"", "{\"value\":\"7\"}", "{\"v\":7}", "[7]", "null", "true" }) {
			assertThatExceptionOfType(PackException.class)
				.isThrownBy(() -> PackingRules.metricOf(this.mapper.readTree(json)))
				.withMessageStartingWith(
						"a rollup value must be a number or an object with a numeric \"value\", got " + json);
		}
	}

	@Test
	void rejectsAMetricOutOfDoubleRange() {
		assertThatExceptionOfType(PackException.class)
			.isThrownBy(() -> PackingRules.metricOf(this.mapper.readTree("{\"value\": 1e400}")))
			.withMessageContaining("within a double's range");
	}

	@Test
	void rejectsAMetricOutOfDoubleRangeWhenNumbersAreReadExactly() {
		// Staging reads numbers exactly, as BigDecimal and BigInteger.
		ObjectReader exact = this.mapper.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
		for (String json : new String[] { "1e400", "1.8e308", "-1.8e308", "{\"value\":1e400}",
				"1" + "0".repeat(400) }) {
			assertThatExceptionOfType(PackException.class).isThrownBy(() -> PackingRules.metricOf(exact.readTree(json)))
				.withMessageContaining("within a double's range");
		}
		assertThat(PackingRules.metricOf(exact.readTree("1.5e308"))).isEqualTo(1.5e308);
		assertThat(PackingRules.metricOf(exact.readTree("123456789012345678901234567890")))
			.isEqualTo(1.2345678901234568e29);
	}

}
