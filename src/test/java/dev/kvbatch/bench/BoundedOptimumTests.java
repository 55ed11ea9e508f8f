package dev.kvbatch.bench;

import java.time.Instant;

import dev.kvbatch.pack.PackingRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedOptimumTests {

	private static final Instant DAY = Instant.parse("2026-11-23T00:00:00Z");

	private static final PackingRules RULES = PackingRules.parse("""
			rules:
			  - name: mobile-mapping
			    match: "mobile-mapping:{device}:{task}"
			    pack: map
			    key: "mobile-batch:{device}"
			    field: "{task}"
			    flush:
			      within: 6h
			""");

	@Test
	void aKeyChangedEveryHourNeedsAWriteEverySixHoursUnderItsBoundAndEveryHourWithout() {
		BoundedOptimum optimum = new BoundedOptimum(RULES, DAY, 24);
		for (int hour = 0; hour < 24; hour++) {
			optimum.add("mobile-mapping:dev1:t" + hour, DAY);
		}

		assertThat(optimum.everyRun()).isEqualTo(24);
		assertThat(optimum.underBounds()).as("changes staged at 00:59:59 cover up to 06:59:59, and so on").isEqualTo(4);
	}

	@Test
	void keysWithoutABoundAreWrittenOncePerSliceThatChangedThem() {
		BoundedOptimum optimum = new BoundedOptimum(RULES, DAY, 48);
		optimum.add("a1", DAY);
		optimum.add("a1", DAY);
		optimum.add("a2", DAY);
		optimum.add("a1", DAY);

		assertThat(optimum.everyRun()).as("a1 in the first hour and the second, a2 in the second").isEqualTo(3);
		assertThat(optimum.underBounds()).isEqualTo(3);
	}

}
