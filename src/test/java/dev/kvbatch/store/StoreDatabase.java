package dev.kvbatch.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.kvbatch.MovableClock;
import dev.kvbatch.PagedQuery;
import dev.kvbatch.Upserts;
import dev.kvbatch.stage.DeadLetters;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.database.JdbcPagingItemReader;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A fresh kvbatch database per test, migrated as the application migrates it (Flyway's
 * shared and vendor folders, Spring Batch's and Quartz's scripts, through the
 * self-repairing strategy): a real H2 file here; a {@code *PostgresIT} overrides
 * {@link #url()} to run the same test bodies on PostgreSQL. It lives in {@code store}
 * because the migrations it runs are the store's ({@code SelfRepairingMigrations} is not
 * public); the repository tests of other packages ({@code metering}) extend it.
 */
public abstract class StoreDatabase {

	@TempDir
	protected Path dataDir;

	protected SingleConnectionDataSource dataSource;

	protected JdbcTemplate jdbc;

	protected JdbcClient client;

	/** The JDBC URL of an empty database; an H2 file in the test's folder by default. */
	protected String url() throws SQLException {
		return "jdbc:h2:file:" + this.dataDir.resolve("kvbatch") + ";DB_CLOSE_ON_EXIT=FALSE;COMPRESS=TRUE";
	}

	@BeforeEach
	protected void migrate() throws SQLException {
		String url = url();
		boolean postgres = url.startsWith("jdbc:postgresql:");
		this.dataSource = new SingleConnectionDataSource(url, postgres ? "postgres" : "sa", "", true);
		this.dataSource.setAutoCommit(true);
		Flyway flyway = Flyway.configure()
			.dataSource(this.dataSource)
			.locations("classpath:sql/common", postgres ? "classpath:sql/postgresql" : "classpath:sql/h2")
			.baselineOnMigrate(true)
			.javaMigrations(new V2__Spring_batch_schema(), new V8__Quartz_schema())
			.load();
		SelfRepairingMigrations.of(List.of(new V2__Spring_batch_schema(), new V8__Quartz_schema())).migrate(flyway);
		this.jdbc = new JdbcTemplate(this.dataSource);
		this.client = JdbcClient.create(this.jdbc);
	}

	@AfterEach
	protected void close() {
		this.dataSource.destroy();
	}

	protected DataSource dataSource() {
		return this.dataSource;
	}

	/** The logical store on this database, with the rules of {@link DirtyKeysTests}. */
	protected LogicalStore logicalStore() {
		Clock clock = new MovableClock(DirtyKeysTests.T0);
		return new LogicalStore(this.jdbc, DirtyKeysTests.RULES, JsonMapper.builder().build(),
				new Cursors(this.client, new Upserts(this.dataSource)), new DeadLetters(this.jdbc, clock),
				new DirtyKeys(this.jdbc, DirtyKeysTests.RULES, clock), clock);
	}

	/** All rows of a paged query, two per page, so paging on its sort keys is run. */
	protected <T> List<T> pages(PagedQuery<T> query, Map<String, Object> parameters) throws Exception {
		JdbcPagingItemReader<T> reader = query.reader("test", this.dataSource)
			.parameterValues(parameters)
			.pageSize(2)
			.saveState(false)
			.build();
		reader.afterPropertiesSet();
		reader.open(new ExecutionContext());
		List<T> rows = new ArrayList<>();
		for (T row = reader.read(); row != null; row = reader.read()) {
			rows.add(row);
		}
		reader.close();
		return rows;
	}

	protected long count(String sql, Object... params) {
		Long count = this.jdbc.queryForObject(sql, Long.class, params);
		return (count != null) ? count : 0;
	}

}
