package dev.kvbatch.metering;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.kvbatch.MovableClock;
import dev.kvbatch.Upserts;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;

/**
 * Reads saved are counted in memory and added to their UTC day's row by a flush; a flush
 * the database refuses loses nothing. On H2 here, on PostgreSQL in
 * {@link ReadsSavedPostgresIT}, with the schema of migration V12 itself.
 */
class ReadsSavedTallyTests {

	private static final AtomicInteger DATABASES = new AtomicInteger();

	private static final LocalDate DEC_1 = LocalDate.of(2026, 12, 1);

	@Test
	void countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWriteOnH2() throws IOException {
		SingleConnectionDataSource h2 = new SingleConnectionDataSource(
				"jdbc:h2:mem:reads-saved" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "sa", "", true);
		try {
			countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWrite(h2);
		}
		finally {
			h2.destroy();
		}
	}

	static void countsPerUtcDayAndKeepsWhatAFailedFlushCouldNotWrite(DataSource dataSource) throws IOException {
		JdbcTemplate sql = new JdbcTemplate(dataSource);
		try (InputStream migration = ReadsSavedTallyTests.class
			.getResourceAsStream("/sql/common/V12__reads_saved.sql")) {
			sql.execute(new String(migration.readAllBytes(), StandardCharsets.UTF_8));
		}
		MovableClock clock = new MovableClock(Instant.parse("2026-12-01T23:59:59Z"));
		ReadsSaved reads = new ReadsSaved(JdbcClient.create(dataSource), clock, new Upserts(dataSource));

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

		sql.execute("ALTER TABLE kv_reads_saved_daily RENAME TO kv_reads_saved_away");
		reads.count(7);
		assertThatRuntimeException().isThrownBy(reads::flush);
		sql.execute("ALTER TABLE kv_reads_saved_away RENAME TO kv_reads_saved_daily");
		assertThat(reads.flush()).as("the refused count, on the next flush").isEqualTo(7);
		assertThat(reads.on(DEC_1.plusDays(1))).isEqualTo(11);

		assertThat(reads.rowsBefore(DEC_1.plusDays(1))).isEqualTo(1);
		assertThat(reads.trimBefore(DEC_1.plusDays(1))).isEqualTo(1);
		assertThat(reads.on(DEC_1)).isZero();
		assertThat(reads.on(DEC_1.plusDays(1))).isEqualTo(11);
	}

}
