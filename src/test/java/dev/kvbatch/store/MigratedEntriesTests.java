package dev.kvbatch.store;

import java.util.List;
import java.util.Map;

import dev.kvbatch.pack.PackKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MigratedEntries}' SQL on a migrated database: H2 here, PostgreSQL in
 * {@link StorePostgresIT}.
 */
class MigratedEntriesTests extends StoreDatabase {

	@Test
	void aKeyLoadedTwiceKeepsItsFirstRecord() {
		MigratedEntries migrated = new MigratedEntries(this.jdbc);

		migrated.loaded(List.of(new MigratedEntries.Loaded("a", "r1"), new MigratedEntries.Loaded("b", "r1")), 10);
		migrated.loaded(List.of(new MigratedEntries.Loaded("a", "r2")), 20);

		assertThat(this.jdbc.queryForList("SELECT rule || ':' || migrated_at FROM kv_migrated ORDER BY logical_key",
				String.class))
			.containsExactly("r1:10", "r1:10");
	}

	@Test
	void verifiesThenDeletesLegacyKeysOfEntriesStillStored() throws Exception {
		MigratedEntries migrated = new MigratedEntries(this.jdbc);
		logicalStore().insert(List.of(LogicalStoreTests.entry("a", PackKind.MAP, "p", "1", null),
				LogicalStoreTests.entry("b", PackKind.MAP, "p", "2", null),
				LogicalStoreTests.entry("c", PackKind.MAP, "q", "3", null)));
		migrated.loaded(List.of(new MigratedEntries.Loaded("a", "r"), new MigratedEntries.Loaded("b", "r"),
				new MigratedEntries.Loaded("c", "r"), new MigratedEntries.Loaded("gone", "r")), 1);

		assertThat(migrated.toVerify("")).containsExactly(new MigratedEntries.ToVerify("a", "MAP", "p", "a"),
				new MigratedEntries.ToVerify("b", "MAP", "p", "b"), new MigratedEntries.ToVerify("c", "MAP", "q", "c"));
		migrated.verified("a", 5L);
		migrated.verified("b", 5L);
		migrated.verified("c", 5L);
		migrated.verified("c", null);
		assertThat(migrated.verifiedOf(List.of("a", "b", "c"))).containsExactly("a", "b");
		assertThat(pages(MigratedEntries.VERIFIED_PAGE, Map.of())).containsExactly("a", "b");

		migrated.legacyDeleted(List.of("a"), 9);

		assertThat(migrated.verifiedOf(List.of("a", "b", "c"))).containsExactly("b");
		assertThat(pages(MigratedEntries.VERIFIED_PAGE, Map.of())).containsExactly("b");
		assertThat(migrated.toVerify("a")).extracting(MigratedEntries.ToVerify::logicalKey).containsExactly("b", "c");
	}

}
