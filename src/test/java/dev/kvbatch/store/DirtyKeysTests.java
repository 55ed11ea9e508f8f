package dev.kvbatch.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.kvbatch.MovableClock;
import dev.kvbatch.pack.PackingRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DirtyKeys}' SQL on a migrated database: H2 here, PostgreSQL in
 * {@link StorePostgresIT}.
 */
class DirtyKeysTests extends StoreDatabase {

	static final PackingRules RULES = PackingRules.parse("""
			rules:
			  - name: mobile-mapping
			    match: "mobile-mapping:{device}:{task}"
			    pack: map
			    key: "mobile-batch:{device}"
			    field: "{task}"
			    flush:
			      within: 6h
			""");

	static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

	@Test
	void aKeyMarkedTwiceKeepsItsFirstMarkAndDeadline() throws Exception {
		MovableClock clock = new MovableClock(T0);
		DirtyKeys dirty = new DirtyKeys(this.jdbc, RULES, clock);

		dirty.mark(Map.of("mobile-batch:d1", T0.toEpochMilli()));
		clock.advance(Duration.ofHours(1));
		dirty.mark(Map.of("mobile-batch:d1", clock.millis(), "plain", clock.millis()));

		List<DirtyKey> all = pages(DirtyKeys.DUE, Map.of("horizon", Long.MAX_VALUE));
		assertThat(all).as("earliest deadline first")
			.extracting(DirtyKey::physicalKey)
			.containsExactly("plain", "mobile-batch:d1");
		DirtyKey mapped = all.get(1);
		assertThat(mapped.stagedAt()).isEqualTo(T0.toEpochMilli());
		assertThat(mapped.dueAt()).isEqualTo(T0.plus(Duration.ofHours(6)).toEpochMilli());
		assertThat(all.get(0).dueAt()).as("no bound: due at once").isEqualTo(clock.millis());
	}

	@Test
	void dueKeysPageInDeadlineOrderUpToTheHorizon() throws Exception {
		MovableClock clock = new MovableClock(T0);
		DirtyKeys dirty = new DirtyKeys(this.jdbc, RULES, clock);
		dirty.mark(List.of("mobile-batch:d1", "mobile-batch:d2", "a", "b", "c"));

		assertThat(pages(DirtyKeys.DUE, Map.of("horizon", T0.toEpochMilli()))).extracting(DirtyKey::physicalKey)
			.containsExactly("a", "b", "c");
		assertThat(pages(DirtyKeys.DUE, Map.of("horizon", T0.plus(Duration.ofHours(6)).toEpochMilli())))
			.extracting(DirtyKey::physicalKey)
			.containsExactly("a", "b", "c", "mobile-batch:d1", "mobile-batch:d2");
		assertThat(dirty.pastDeadline(T0.plusMillis(1))).isEqualTo(3);
		assertThat(dirty.pastDeadline(T0)).isZero();
	}

	@Test
	void cleaningRemovesOnlyTheSettledMarks() throws Exception {
		DirtyKeys dirty = new DirtyKeys(this.jdbc, RULES, new MovableClock(T0));
		dirty.mark(List.of("a", "b", "c"));
		List<DirtyKey> marked = pages(DirtyKeys.DUE, Map.of("horizon", Long.MAX_VALUE));

		dirty.clean(marked.subList(0, 2));
		dirty.clean(marked.subList(0, 2));

		assertThat(pages(DirtyKeys.DUE, Map.of("horizon", Long.MAX_VALUE))).extracting(DirtyKey::physicalKey)
			.containsExactly("c");
	}

}
