package dev.kvbatch;

import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.kvbatch.Upserts.Merge;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upsert helper on H2; {@code UpsertsPostgresIT} runs the same on PostgreSQL
 * ({@code -Ppostgres}).
 */
class UpsertsTests {

	private static final AtomicInteger DATABASES = new AtomicInteger();

	@Test
	void insertsThenMergesEachColumnAsToldOnH2() throws SQLException {
		SingleConnectionDataSource h2 = new SingleConnectionDataSource(
				"jdbc:h2:mem:upserts" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "sa", "", true);
		try {
			insertsThenMerges(h2);
		}
		finally {
			h2.destroy();
		}
	}

	static void insertsThenMerges(DataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE tally (usage_day DATE NOT NULL, name VARCHAR(20) NOT NULL, total BIGINT NOT NULL,"
				+ " high BIGINT NOT NULL, note VARCHAR(20), PRIMARY KEY (usage_day, name))");
		Map<String, Merge> columns = new LinkedHashMap<>();
		columns.put("total", Merge.ADD);
		columns.put("high", Merge.MAX);
		columns.put("note", Merge.SET);
		String upsert = new Upserts(dataSource).sql("tally", List.of("usage_day", "name"), columns);
		LocalDate day = LocalDate.of(2026, 11, 23);

		assertThat(jdbc.update(upsert, day, "a", 2L, 5L, "first")).isEqualTo(1);
		jdbc.update(upsert, day, "a", 3L, 4L, "second");
		jdbc.update(upsert, day, "b", 7L, 1L, null);

		assertThat(jdbc.query("SELECT name, total, high, note FROM tally ORDER BY name",
				(rs, row) -> rs.getString(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " " + rs.getString(4)))
			.containsExactly("a 5 5 second", "b 7 1 null");
	}

}
