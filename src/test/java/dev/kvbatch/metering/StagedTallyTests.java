package dev.kvbatch.metering;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

import dev.kvbatch.DurableCommits;
import dev.kvbatch.MovableClock;
import dev.kvbatch.Upserts;
import dev.kvbatch.store.StoreDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * {@link StagedTally}'s SQL on a migrated database ({@code kv_staged_daily}), and the
 * trim of the daily rows it keeps with the ledger's roll-up and the reads saved: H2 here,
 * PostgreSQL in {@link MeteringPostgresIT}.
 */
class StagedTallyTests extends StoreDatabase {

	static final LocalDate DAY = LedgerTests.DAY;

	MovableClock clock;

	Ledger ledger;

	ReadsSaved readsSaved;

	StagedTally tally;

	@BeforeEach
	void tally() {
		this.clock = new MovableClock(Instant.parse("2026-12-01T12:00:00Z"));
		this.ledger = new Ledger(this.client, this.clock, new DataSourceTransactionManager(this.dataSource),
				new DurableCommits(this.dataSource));
		Upserts upserts = new Upserts(this.dataSource);
		this.readsSaved = new ReadsSaved(this.client, this.clock, upserts);
		this.tally = new StagedTally(this.client, this.ledger, this.readsSaved, upserts);
	}

	@Test
	void addsEachDaysCountsToItsRow() {
		this.tally.add(DAY, new StagedTally.Counts(2, 1, 1, 0));
		this.tally.add(DAY, new StagedTally.Counts(3, 0, 0, 2));
		this.tally.add(DAY.plusDays(1), new StagedTally.Counts(1, 0, 0, 0));
		this.tally.add(DAY.plusDays(2), new StagedTally.Counts(0, 0, 0, 0));

		assertThat(this.tally.on(DAY)).isEqualTo(new StagedTally.Counts(5, 1, 1, 2));
		assertThat(this.tally.on(DAY.plusDays(1))).isEqualTo(new StagedTally.Counts(1, 0, 0, 0));
		assertThat(this.tally.on(DAY.plusDays(2))).as("nothing staged").isEqualTo(new StagedTally.Counts(0, 0, 0, 0));
		assertThat(count("SELECT COUNT(*) FROM kv_staged_daily")).as("no row for nothing").isEqualTo(2);
		assertThat(this.tally.between(DAY, DAY.plusDays(1))).as("in day order")
			.containsExactly(entry(DAY, new StagedTally.Counts(5, 1, 1, 2)),
					entry(DAY.plusDays(1), new StagedTally.Counts(1, 0, 0, 0)));
		assertThat(this.tally.between(DAY.plusDays(1), DAY.plusDays(9)))
			.containsExactly(entry(DAY.plusDays(1), new StagedTally.Counts(1, 0, 0, 0)));
		assertThat(this.tally.between(DAY.minusDays(9), DAY.minusDays(1))).isEmpty();
	}

	@Test
	void trimsTheTalliesReadsSavedAndLedgerRollUpOfTheDaysBeforeTheCutoffsDay() {
		for (int day = 0; day < 3; day++) {
			this.tally.add(this.ledger.today(), new StagedTally.Counts(10 + day, day, 0, 0));
			this.readsSaved.count(100 + day);
			this.ledger.begin(Operation.WRITE, LedgerTests.CLOUDFLARE, 1 + day, 0, 1);
			this.ledger.begin(Operation.DELETE, LedgerTests.CLOUDFLARE, 1, 0, 1);
			this.clock.advance(Duration.ofDays(1));
		}
		this.readsSaved.flush();
		long daysRolledUp = 0;
		while (this.ledger.trim(this.clock.instant(), 100) > 0) {
			daysRolledUp++;
		}
		assertThat(daysRolledUp).isEqualTo(3);
		Instant cutoff = Instant.parse("2026-12-02T23:59:59Z");
		assertThat(this.ledger.dailyRowsBefore(DAY.plusDays(3))).as("the roll-up of three days").isEqualTo(6);

		assertThat(this.tally.due(cutoff)).as("one tally, one reads saved and two roll-up rows").isEqualTo(4);
		assertThat(this.tally.trim(cutoff, 100)).isEqualTo(4);

		assertThat(this.tally.due(cutoff)).isZero();
		assertThat(this.tally.trim(cutoff, 100)).isZero();
		assertThat(this.tally.on(DAY)).isEqualTo(new StagedTally.Counts(0, 0, 0, 0));
		assertThat(this.tally.on(DAY.plusDays(1))).isEqualTo(new StagedTally.Counts(11, 1, 0, 0));
		assertThat(this.readsSaved.on(DAY)).isZero();
		assertThat(this.readsSaved.on(DAY.plusDays(1))).isEqualTo(101);
		assertThat(this.ledger.dailyRowsBefore(DAY.plusDays(1))).isZero();
		assertThat(this.ledger.dailyRowsBefore(DAY.plusDays(3))).isEqualTo(4);
		assertThat(this.tally.kind()).isEqualTo("ledger-daily");

		Instant twoDaysLater = cutoff.plus(Duration.ofDays(2));
		assertThat(this.tally.due(twoDaysLater)).as("two more days of four rows").isEqualTo(8);
		assertThat(this.tally.trim(twoDaysLater, 100)).as("one day per call, the oldest").isEqualTo(4);
		assertThat(this.tally.on(DAY.plusDays(1))).isEqualTo(new StagedTally.Counts(0, 0, 0, 0));
		assertThat(this.readsSaved.on(DAY.plusDays(1))).isZero();
		assertThat(this.tally.on(DAY.plusDays(2))).isEqualTo(new StagedTally.Counts(12, 2, 0, 0));
		assertThat(this.readsSaved.on(DAY.plusDays(2))).isEqualTo(102);
		assertThat(this.tally.trim(twoDaysLater, 100)).isEqualTo(4);
		assertThat(this.tally.trim(twoDaysLater, 100)).isZero();
	}

}
