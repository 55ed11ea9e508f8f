package dev.kvbatch.metering;

import java.sql.Date;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.kvbatch.DurableCommits;
import dev.kvbatch.MovableClock;
import dev.kvbatch.PagedQuery;
import dev.kvbatch.store.StoreDatabase;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * {@link Ledger}'s SQL on a migrated database ({@code kv_ledger}, its daily roll-up
 * {@code kv_ledger_daily} and {@code kv_quota_exhausted}): H2 here, PostgreSQL in
 * {@link MeteringPostgresIT}. The ledger runs on a data source that opens a connection
 * per use, as the application's pool does, so its own transactions are separate from the
 * caller's.
 */
class LedgerTests extends StoreDatabase {

	static final String CLOUDFLARE = "cloudflare";

	static final String LOCAL = "local";

	static final LocalDate DAY = LocalDate.of(2026, 12, 1);

	/** The last second of {@link #DAY}, UTC. */
	static final Instant LAST_SECOND = Instant.parse("2026-12-01T23:59:59Z");

	/** The keys billed per day and operation, as the usage report pages them. */
	static final PagedQuery<String> KEYS_PER_DAY = new PagedQuery<>("usage_day, operation, keys", Ledger.KEYS_PER_DAY,
			"", List.of("usage_day", "operation"),
			(rs, row) -> rs.getObject(1, LocalDate.class) + " " + rs.getString(2) + " " + rs.getLong(3));

	MovableClock clock;

	DriverManagerDataSource pool;

	TransactionTemplate transaction;

	Ledger ledger;

	@BeforeEach
	void ledger() {
		this.clock = new MovableClock(LAST_SECOND);
		this.pool = new DriverManagerDataSource(this.dataSource.getUrl(), this.dataSource.getUsername(), "");
		DataSourceTransactionManager transactions = new DataSourceTransactionManager(this.pool);
		this.transaction = new TransactionTemplate(transactions);
		this.ledger = new Ledger(JdbcClient.create(this.pool), this.clock, transactions, new DurableCommits(this.pool));
	}

	@Test
	void recordsACallInFlightUntilItsAnswerIsSettled() {
		long id = this.ledger.begin(Operation.WRITE, CLOUDFLARE, 3, 300, 1);

		assertThat(row(id))
			.isEqualTo(new Row(DAY, "write", CLOUDFLARE, 3, 300, 1, null, LAST_SECOND.toEpochMilli(), true));
		assertThat(this.ledger.spentOn(DAY, CLOUDFLARE)).as("in flight counts as spent")
			.containsEntry(Operation.WRITE, 3L);

		this.ledger.settle(id, 2, 200);

		assertThat(row(id))
			.isEqualTo(new Row(DAY, "write", CLOUDFLARE, 2, 200, 1, null, LAST_SECOND.toEpochMilli(), false));
		long refused = this.ledger.begin(Operation.DELETE, CLOUDFLARE, 4, 0, 1);
		this.ledger.settle(refused, 0, 0);
		assertThat(this.ledger.spentOn(DAY, CLOUDFLARE)).containsEntry(Operation.DELETE, 0L);
	}

	@Test
	void aCallRecordedStaysRecordedWhenTheCallersTransactionRollsBack() {
		this.transaction.executeWithoutResult((status) -> {
			long id = this.ledger.begin(Operation.WRITE, CLOUDFLARE, 5, 50, 1);
			this.ledger.markExhausted(CLOUDFLARE, Operation.WRITE);
			long settled = this.ledger.begin(Operation.READ, CLOUDFLARE, 2, 20, 1);
			this.ledger.settle(settled, 1, 10);
			assertThat(id).isNotEqualTo(settled);
			status.setRollbackOnly();
		});

		assertThat(this.ledger.spentOn(DAY, CLOUDFLARE)).containsEntry(Operation.WRITE, 5L)
			.containsEntry(Operation.READ, 1L);
		assertThat(count("SELECT COUNT(*) FROM kv_ledger WHERE in_flight")).as("the write, never settled").isEqualTo(1);
		assertThat(this.ledger.exhausted(DAY, CLOUDFLARE, Operation.WRITE))
			.as("a quota mark joins the caller's transaction")
			.isFalse();
	}

	@Test
	void sumsTheKeysSentPerUtcDayTargetAndOperation() {
		this.ledger.settle(this.ledger.begin(Operation.WRITE, CLOUDFLARE, 3, 30, 1), 2, 20);
		this.ledger.begin(Operation.WRITE, CLOUDFLARE, 4, 40, 1);
		this.ledger.begin(Operation.DELETE, CLOUDFLARE, 1, 0, 1);
		this.ledger.begin(Operation.READ, LOCAL, 5, 0, 1);
		this.clock.advance(Duration.ofSeconds(1));
		this.ledger.begin(Operation.WRITE, CLOUDFLARE, 7, 70, 1);

		assertThat(this.ledger.spentOn(DAY, CLOUDFLARE)).containsExactlyInAnyOrderEntriesOf(
				Map.of(Operation.READ, 0L, Operation.WRITE, 6L, Operation.DELETE, 1L, Operation.LIST, 0L));
		assertThat(this.ledger.spentOn(DAY, LOCAL)).containsEntry(Operation.READ, 5L)
			.containsEntry(Operation.WRITE, 0L);
		assertThat(this.ledger.spentOn(DAY.plusDays(1), CLOUDFLARE)).containsEntry(Operation.WRITE, 7L)
			.containsEntry(Operation.DELETE, 0L);
		assertThat(this.ledger.today()).isEqualTo(DAY.plusDays(1));
	}

	@Test
	void attributesTheCallsOfAThreadToItsJobExecutionOnly() throws Exception {
		this.ledger.attributeTo(41L);
		long attributed = this.ledger.begin(Operation.WRITE, CLOUDFLARE, 2, 20, 1);
		AtomicLong otherThread = new AtomicLong();
		Thread other = new Thread(() -> otherThread.set(this.ledger.begin(Operation.WRITE, CLOUDFLARE, 5, 50, 1)));
		other.start();
		other.join();
		this.ledger.attributeTo(42L);
		this.ledger.begin(Operation.LIST, CLOUDFLARE, 1, 0, 1);
		this.ledger.attributeTo(null);
		long unattributed = this.ledger.begin(Operation.DELETE, CLOUDFLARE, 1, 0, 1);

		assertThat(this.ledger.sentBy(41)).containsExactlyInAnyOrderEntriesOf(
				Map.of(Operation.READ, 0L, Operation.WRITE, 2L, Operation.DELETE, 0L, Operation.LIST, 0L));
		assertThat(this.ledger.sentBy(42)).containsEntry(Operation.LIST, 1L).containsEntry(Operation.WRITE, 0L);
		assertThat(row(attributed).jobExecutionId()).isEqualTo(41L);
		assertThat(row(otherThread.get()).jobExecutionId()).as("another thread's call").isNull();
		assertThat(row(unattributed).jobExecutionId()).isNull();
		assertThat(this.ledger.sentBy(43)).containsOnly(entry(Operation.READ, 0L), entry(Operation.WRITE, 0L),
				entry(Operation.DELETE, 0L), entry(Operation.LIST, 0L));
	}

	@Test
	void marksAnOperationExhaustedOncePerUtcDayAndTarget() {
		this.ledger.markExhausted(CLOUDFLARE, Operation.WRITE);
		this.ledger.markExhausted(CLOUDFLARE, Operation.WRITE);

		assertThat(count("SELECT COUNT(*) FROM kv_quota_exhausted")).isEqualTo(1);
		assertThat(this.ledger.exhausted(DAY, CLOUDFLARE, Operation.WRITE)).isTrue();
		assertThat(this.ledger.exhausted(DAY, CLOUDFLARE, Operation.DELETE)).isFalse();
		assertThat(this.ledger.exhausted(DAY, LOCAL, Operation.WRITE)).isFalse();
		assertThat(this.ledger.exhausted(DAY.plusDays(1), CLOUDFLARE, Operation.WRITE)).isFalse();

		this.clock.advance(Duration.ofSeconds(1));
		this.ledger.markExhausted(CLOUDFLARE, Operation.WRITE);
		assertThat(this.ledger.exhausted(DAY.plusDays(1), CLOUDFLARE, Operation.WRITE)).isTrue();
		assertThat(count("SELECT COUNT(*) FROM kv_quota_exhausted")).isEqualTo(2);
	}

	@Test
	void rollsUpOneDayOfDetailPerTrimAndBillsEachDayOnce() throws Exception {
		this.ledger.settle(this.ledger.begin(Operation.WRITE, CLOUDFLARE, 3, 30, 1), 3, 30);
		this.ledger.begin(Operation.WRITE, CLOUDFLARE, 2, 20, 1);
		this.ledger.begin(Operation.DELETE, CLOUDFLARE, 1, 0, 1);
		this.ledger.begin(Operation.WRITE, LOCAL, 9, 90, 1);
		this.ledger.markExhausted(CLOUDFLARE, Operation.WRITE);
		this.clock.advance(Duration.ofDays(1));
		this.ledger.begin(Operation.READ, CLOUDFLARE, 4, 0, 1);
		this.clock.advance(Duration.ofDays(1));
		this.ledger.begin(Operation.WRITE, CLOUDFLARE, 5, 50, 1);
		this.ledger.markExhausted(CLOUDFLARE, Operation.WRITE);
		Instant cutoff = this.clock.instant();
		List<String> billed = List.of("2026-12-01 delete 1", "2026-12-01 write 5", "2026-12-02 read 4",
				"2026-12-03 write 5");
		assertThat(billed(DAY, DAY.plusDays(2))).isEqualTo(billed);
		assertThat(this.ledger.due(cutoff)).as("days of detail before the cutoff's day").isEqualTo(2);

		this.transaction.executeWithoutResult((status) -> {
			assertThat(this.ledger.trim(cutoff, 1)).isOne();
			status.setRollbackOnly();
		});
		assertThat(this.ledger.due(cutoff)).as("a trim rolled back").isEqualTo(2);
		assertThat(count("SELECT COUNT(*) FROM kv_ledger_daily")).isZero();

		assertThat(this.ledger.trim(cutoff, 1)).isOne();

		assertThat(this.jdbc.queryForList("""
				SELECT target || ' ' || operation || ' ' || keys || ' ' || bytes || ' ' || requests FROM kv_ledger_daily
				WHERE usage_day = ? ORDER BY target, operation""", String.class, Date.valueOf(DAY)))
			.containsExactly("cloudflare delete 1 0 1", "cloudflare write 5 50 2", "local write 9 90 1");
		assertThat(count("SELECT COUNT(*) FROM kv_ledger WHERE usage_day = ?", Date.valueOf(DAY))).isZero();
		assertThat(this.ledger.exhausted(DAY, CLOUDFLARE, Operation.WRITE)).isFalse();
		assertThat(this.ledger.exhausted(DAY.plusDays(2), CLOUDFLARE, Operation.WRITE)).isTrue();
		assertThat(this.ledger.due(cutoff)).isOne();
		assertThat(billed(DAY, DAY.plusDays(2))).as("a day is in the detail or the roll-up, never both")
			.isEqualTo(billed);

		assertThat(this.ledger.trim(cutoff, 1000)).as("one day per trim, whatever the batch size").isOne();
		assertThat(this.ledger.trim(cutoff, 1000)).isZero();
		assertThat(this.ledger.due(cutoff)).isZero();
		assertThat(billed(DAY, DAY.plusDays(2))).isEqualTo(billed);
		assertThat(billed(DAY.plusDays(1), DAY.plusDays(1))).containsExactly("2026-12-02 read 4");
		assertThat(count("SELECT COUNT(*) FROM kv_ledger")).as("the cutoff's day keeps its detail").isOne();
		assertThat(this.ledger.dailyRowsBefore(DAY.plusDays(1))).isEqualTo(3);
		assertThat(this.ledger.dailyRowsBefore(DAY.plusDays(2))).isEqualTo(4);
	}

	@Test
	void billedKeysPerDayAreOfOneTargetAndTheDaysAsked() throws Exception {
		this.ledger.begin(Operation.WRITE, CLOUDFLARE, 3, 30, 1);
		this.ledger.begin(Operation.LIST, CLOUDFLARE, 1, 0, 1);
		this.ledger.begin(Operation.WRITE, LOCAL, 8, 80, 1);
		this.clock.advance(Duration.ofDays(1));
		this.ledger.begin(Operation.READ, CLOUDFLARE, 4, 0, 1);
		this.ledger.trim(this.clock.instant(), 1);
		this.clock.advance(Duration.ofDays(1));
		this.ledger.begin(Operation.DELETE, CLOUDFLARE, 2, 0, 1);

		assertThat(billed(DAY, DAY)).containsExactly("2026-12-01 list 1", "2026-12-01 write 3");
		assertThat(billed(DAY.plusDays(1), DAY.plusDays(2))).containsExactly("2026-12-02 read 4",
				"2026-12-03 delete 2");
		assertThat(billed(DAY.minusDays(3), DAY.minusDays(1))).isEmpty();
	}

	private List<String> billed(LocalDate from, LocalDate to) throws Exception {
		return pages(KEYS_PER_DAY, Map.of("from", Date.valueOf(from), "to", Date.valueOf(to), "target", CLOUDFLARE));
	}

	private Row row(long id) {
		return this.client.sql("""
				SELECT usage_day, operation, target, keys, bytes, requests, job_execution_id, recorded_at, in_flight
				FROM kv_ledger WHERE id = ?""").param(id).query((rs, row) -> {
			Long jobExecutionId = rs.getLong(7);
			if (rs.wasNull()) {
				jobExecutionId = null;
			}
			return new Row(rs.getObject(1, LocalDate.class), rs.getString(2), rs.getString(3), rs.getLong(4),
					rs.getLong(5), rs.getInt(6), jobExecutionId, rs.getLong(8), rs.getBoolean(9));
		}).single();
	}

	record Row(LocalDate day, String operation, String target, long keys, long bytes, int requests,
			@Nullable Long jobExecutionId, long recordedAt, boolean inFlight) {
	}

}
