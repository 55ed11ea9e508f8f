package dev.kvbatch.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import dev.kvbatch.MovableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FreshnessLog}'s SQL on a migrated database: H2 here, PostgreSQL in
 * {@link StorePostgresIT}.
 */
class FreshnessLogTests extends StoreDatabase {

	private static final Instant T0 = DirtyKeysTests.T0;

	private static final LocalDate DEC_1 = LocalDate.of(2026, 12, 1);

	@Test
	void recordsWriteAgesPerRuleAndEachBreachOnce() {
		MovableClock clock = new MovableClock(T0);
		FreshnessLog log = new FreshnessLog(this.jdbc, DirtyKeysTests.RULES, clock);
		long t0 = T0.toEpochMilli();

		log.sent(List.of(new DirtyKey(1, "mobile-batch:d1", t0 - 1000, t0 - 1000, t0 + 60_000),
				new DirtyKey(2, "mobile-batch:d2", t0 - 3000, t0 - 3000, t0 + 60_000),
				new DirtyKey(3, "mobile-batch:d3", t0 - 5000, t0 - 5000, t0 + 60_000)));
		DirtyKey late = new DirtyKey(4, "mobile-batch:d4", t0 - 9000, t0 - 9000, t0 - 1);
		DirtyKey notYet = new DirtyKey(5, "mobile-batch:d5", t0, t0, t0 + 60_000);
		assertThat(log.held(List.of(late, notYet), t0)).isEqualTo(1);
		clock.advance(Duration.ofMinutes(1));
		log.held(List.of(late), t0);

		assertThat(log.ages(DEC_1)).containsOnlyKeys("mobile-mapping");
		FreshnessLog.Ages ages = log.ages(DEC_1).get("mobile-mapping");
		assertThat(ages).isEqualTo(new FreshnessLog.Ages(3, 3000, 5000));
		assertThat(log.breaches(DEC_1)).as("once per key and deadline").containsEntry("mobile-mapping", 1L).hasSize(1);
		assertThat(log.ages(DEC_1.plusDays(1))).isEmpty();
	}

	@Test
	void trimDeletesAtMostABatchOfTheDaysBeforeTheCutoff() {
		MovableClock clock = new MovableClock(T0);
		FreshnessLog log = new FreshnessLog(this.jdbc, DirtyKeysTests.RULES, clock);
		long t0 = T0.toEpochMilli();
		for (int i = 0; i < 3; i++) {
			log.sent(List.of(new DirtyKey(i, "k" + i, t0, t0, t0)));
		}
		log.held(List.of(new DirtyKey(9, "late", t0, t0, t0)), t0);
		clock.advance(Duration.ofDays(1));
		log.sent(List.of(new DirtyKey(10, "today", clock.millis(), clock.millis(), clock.millis())));
		Instant cutoff = clock.instant();

		assertThat(log.due(cutoff)).isEqualTo(4);
		assertThat(log.trim(cutoff, 2)).isEqualTo(2);
		assertThat(log.trim(cutoff, 2)).isEqualTo(2);
		assertThat(log.trim(cutoff, 2)).isZero();
		assertThat(log.due(cutoff)).isZero();
		assertThat(count("SELECT COUNT(*) FROM kv_write_age")).as("today's row is kept").isEqualTo(1);
		assertThat(count("SELECT COUNT(*) FROM kv_breach")).isZero();
	}

}
