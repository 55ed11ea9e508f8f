package dev.kvbatch.metering;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

import dev.kvbatch.MovableClock;
import dev.kvbatch.Upserts;
import dev.kvbatch.store.StoreDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;

/**
 * Reads saved are counted in memory and added to their UTC day's row
 * ({@code kv_reads_saved_daily}) by a flush; a flush the database refuses loses nothing.
 * On a migrated database: H2 here, PostgreSQL in {@link MeteringPostgresIT}.
 */
class ReadsSavedTallyTests extends StoreDatabase {

	private static final LocalDate DEC_1 = LocalDate.of(2026, 12, 1);

	@Test
	void countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWrite() {
		MovableClock clock = new MovableClock(Instant.parse("2026-12-01T23:59:59Z"));
		ReadsSaved reads = new ReadsSaved(this.client, clock, new Upserts(this.dataSource));

		assertThat(reads.flush()).as("nothing counted, nothing written").isZero();
		reads.count(3);
		assertThat(reads.on(DEC_1)).as("counted in memory only").isZero();
		assertThat(reads.flush()).isEqualTo(3);
		reads.count(2);
		clock.advance(Duration.ofSeconds(1));
		reads.count(4);
		assertThat(reads.flush()).isEqualTo(6);
		assertThat(reads.on(DEC_1)).isEqualTo(5);
		assertThat(reads.on(DEC_1.plusDays(1))).isEqualTo(4);

		this.jdbc.execute("ALTER TABLE kv_reads_saved_daily RENAME TO kv_reads_saved_away");
		reads.count(7);
		assertThatRuntimeException().isThrownBy(reads::flush);
		this.jdbc.execute("ALTER TABLE kv_reads_saved_away RENAME TO kv_reads_saved_daily");
		assertThat(reads.flush()).as("the refused count, on the next flush").isEqualTo(7);
		assertThat(reads.on(DEC_1.plusDays(1))).isEqualTo(11);

		assertThat(reads.rowsBefore(DEC_1.plusDays(1))).isEqualTo(1);
		assertThat(reads.trimBefore(DEC_1.plusDays(1))).isEqualTo(1);
		assertThat(reads.on(DEC_1)).isZero();
		assertThat(reads.on(DEC_1.plusDays(1))).isEqualTo(11);
	}

}
