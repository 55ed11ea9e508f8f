package dev.kvbatch.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.kvbatch.MovableClock;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.Placement;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LogicalStore}'s reads and writes of {@code kv_entry} on a migrated database: H2
 * here, PostgreSQL in {@link StorePostgresIT}.
 */
class LogicalStoreTests extends StoreDatabase {

	private static final long NOW = DirtyKeysTests.T0.getEpochSecond();

	static LogicalStore.Entry entry(String key, PackKind kind, String physicalKey, String value, Long expiresAt) {
		return new LogicalStore.Entry(key, new Placement("r-" + kind.name().toLowerCase(), kind, physicalKey, key),
				value, (kind == PackKind.ROLLUP) ? 1.0 : null, expiresAt, 0);
	}

	@Test
	void readsTheLiveEntriesOfAPhysicalKeyAndRemovesEntries() {
		LogicalStore store = logicalStore();
		store.insert(List.of(entry("b", PackKind.MAP, "p", "2", null), entry("a", PackKind.MAP, "p", "1", NOW + 60),
				entry("gone", PackKind.MAP, "p", "3", NOW), entry("other", PackKind.MAP, "q", "4", null)));

		assertThat(store.known(List.of("a", "gone", "never"))).containsExactlyInAnyOrder("a", "gone");
		assertThat(store.live("p", NOW)).extracting(PhysicalViews.Row::logicalKey).containsExactly("a", "b");
		store.remove(List.of("a", "never"));
		store.remove(List.of("a"));
		assertThat(store.live("p", NOW)).extracting(PhysicalViews.Row::valueJson).containsExactly("2");
		assertThat(count("SELECT COUNT(*) FROM kv_entry")).isEqualTo(3);
	}

	@Test
	void pagesExpiredEntriesButARollupBucketOnlyWhenWhollyExpired() throws Exception {
		LogicalStore store = logicalStore();
		store.insert(List.of(entry("m1", PackKind.MAP, "p", "1", NOW - 1), entry("m2", PackKind.MAP, "p", "1", NOW),
				entry("m3", PackKind.MAP, "p", "1", NOW + 1), entry("m0", PackKind.MAP, "p", "1", NOW - 5),
				entry("r1", PackKind.ROLLUP, "hour1", "1", NOW - 1), entry("r2", PackKind.ROLLUP, "hour1", "1", null),
				entry("s1", PackKind.ROLLUP, "hour2", "1", NOW - 1)));

		assertThat(pages(LogicalStore.EXPIRED, Map.of("now", NOW))).containsExactly(new ExpiredEntry("m0", "p"),
				new ExpiredEntry("m1", "p"), new ExpiredEntry("m2", "p"), new ExpiredEntry("s1", "hour2"));
	}

	@Test
	void readsPackedEntriesAfterAKeyAndTheFiguresPerRule() {
		LogicalStore store = logicalStore();
		store.insert(List.of(entry("a", PackKind.MAP, "p", "1", null), entry("b", PackKind.MAP, "q", "22", NOW + 100),
				entry("c", PackKind.MAP, "q", "3", NOW), entry("d", PackKind.DIRECT, "d", "4", null)));
		this.jdbc.update("INSERT INTO kv_migrated (logical_key, rule, migrated_at) VALUES ('b', 'r-map', 0)");

		assertThat(store.packedAfter("", NOW)).containsExactly(new LogicalStore.Stored("a", "1", null),
				new LogicalStore.Stored("b", "22", NOW + 100));
		assertThat(store.packedAfter("a", NOW + 100)).isEmpty();
		assertThat(store.stats()).containsExactly(new LogicalStore.RuleStats("r-map", 3, 2, 7, 1));
	}

	@Test
	void expiredEntriesAreRemovedAndTheirKeysMarkedDirty() throws Exception {
		LogicalStore store = logicalStore();
		store.insert(List.of(entry("a", PackKind.MAP, "p", "1", NOW - 1)));
		ExpiredEntries expired = new ExpiredEntries(store,
				new DirtyKeys(this.jdbc, DirtyKeysTests.RULES, new MovableClock(Instant.ofEpochSecond(NOW))));

		expired.remove(pages(LogicalStore.EXPIRED, Map.of("now", NOW)));

		assertThat(count("SELECT COUNT(*) FROM kv_entry")).isZero();
		assertThat(pages(DirtyKeys.DUE, Map.of("horizon", Long.MAX_VALUE))).extracting(DirtyKey::physicalKey)
			.containsExactly("p");
	}

}
