package dev.kvbatch.pack;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code flush} block of a rule: how it is written, what the rules file refuses, and
 * the deadline it gives a dirty physical key.
 */
class FreshnessTests {

	private static final String RULES = """
			rules:
			  - name: mobile
			    match: "mobile-mapping:{device}:{task}"
			    pack: map
			    key: "mobile-batch:{device}"
			    field: "{task}"
			    flush:
			      within: 6h
			  - name: webhooks
			    match: "webhook-delivery:{id}"
			    pack: map
			    key: "webhook-batch:{at:day}"
			    field: "{id}"
			    flush:
			      when: closed
			      grace: 10m
			      within: 24h
			  - name: metrics
			    match: "metrics:{type}:{ts}:{rand}"
			    pack: rollup
			    key: "metrics:hour:{ts:hour}"
			    field: "{type}"
			    flush:
			      when: closed
			  - name: counter
			    match: "__counter"
			    pack: counter
			    flush:
			      within: PT24H
			  - name: every-run
			    match: "now:{x}"
			    pack: map
			    key: "now"
			    field: "{x}"
			    flush:
			      within: 0
			""";

	private static final Freshness FRESHNESS = Freshness.of(PackingRules.parse(RULES));

	private static final long STAGED = Instant.parse("2026-12-01T10:20:00Z").toEpochMilli();

	@Test
	void withinCountsFromTheOldestStagedChange() {
		assertThat(FRESHNESS.ruleOf("mobile-batch:ipad")).isEqualTo("mobile");
		assertThat(deadline("mobile-batch:ipad")).isEqualTo("2026-12-01T16:20:00Z");
		assertThat(deadline("__counter")).isEqualTo("2026-12-02T10:20:00Z");
	}

	@Test
	void aClosedBucketIsDueWhenItsPeriodEndsPlusGraceOrWithinIfSooner() {
		assertThat(deadline("metrics:hour:2026-12-01T10")).isEqualTo("2026-12-01T11:00:00Z");
		assertThat(deadline("webhook-batch:2026-12-01")).as("the day closes before 24 h have passed")
			.isEqualTo("2026-12-02T00:10:00Z");
		assertThat(Instant.ofEpochMilli(
				FRESHNESS.deadline("webhook-batch:2026-12-01", Instant.parse("2026-11-30T23:00:00Z").toEpochMilli())))
			.as("a change staged the day before: within 24 h comes first")
			.isEqualTo("2026-12-01T23:00:00Z");
	}

	@Test
	void aLateEntryInABucketThatClosedIsDueAtOnce() {
		assertThat(deadline("metrics:hour:2026-12-01T08")).isEqualTo("2026-12-01T10:20:00Z");
	}

	@Test
	void keysOfRulesWithoutABoundAreDueWhenStaged() {
		assertThat(deadline("now")).isEqualTo("2026-12-01T10:20:00Z");
		assertThat(FRESHNESS.ruleOf("a15")).isEqualTo("direct");
		assertThat(deadline("a15")).isEqualTo("2026-12-01T10:20:00Z");
		assertThat(FRESHNESS.bound("direct").everyRun()).isTrue();
	}

	@Test
	void describesEachBound() {
		assertThat(FRESHNESS.bounds()).hasToString("{mobile=within 6h, webhooks=when closed + 10m, within 1d, "
				+ "metrics=when closed, counter=within 1d, every-run=every run, direct=every run}");
		assertThat(FRESHNESS.bound("mobile").within()).isEqualTo(Duration.ofHours(6));
	}

	@Test
	void refusesABadFlushBlockNamingTheRuleTheFieldAndWhy() {
		assertInvalid("flush:\n      within: 6x",
				"rule \"r\" (rules[0]): flush.within: \"6x\" is not a duration (use 0, 90s, 15m, 6h, 1d");
		assertInvalid("flush:\n      within: -1h", "flush.within: \"-1h\" is not a duration");
		assertInvalid("flush:\n      when: daily", "flush.when: unknown value \"daily\" (the only one is closed)");
		assertInvalid("flush:\n      when: closed",
				"rule \"r\" (rules[0]): flush.when: closed needs a key with a {…:hour} or {…:day} bucket, and \"b:{x}\" has none");
		assertInvalid("flush:\n      within: 1h\n      grace: 5m",
				"flush.grace: only a rule with when: closed waits for late events");
		assertInvalid("flush:\n      withn: 1h", "rule \"r\" (rules[0]): flush: unknown property 'withn'");
		assertInvalid("flush: 6h", "rule \"r\" (rules[0]): flush must be a mapping with within, when or grace");
		assertInvalid("flush: {}", "rule \"r\" (rules[0]): flush: needs within, when: closed, or both");
		assertInvalid("flush:\n      within: [1h]", "flush.within must be a single value, such as 6h");
	}

	private static String deadline(String physicalKey) {
		return Instant.ofEpochMilli(FRESHNESS.deadline(physicalKey, STAGED)).toString();
	}

	private static void assertInvalid(String flush, String message) {
		String yaml = "rules:\n  - name: r\n    match: \"a:{x}\"\n    pack: map\n    key: \"b:{x}\"\n    field: f\n    "
				+ flush + "\n";
		assertThatExceptionOfType(PackException.class).isThrownBy(() -> PackingRules.parse(yaml))
			.withMessageContaining(message);
	}

}
