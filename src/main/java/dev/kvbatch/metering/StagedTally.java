package dev.kvbatch.metering;

import java.time.LocalDate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.kvbatch.Trimmable;
import org.jspecify.annotations.Nullable;
import dev.kvbatch.Upserts;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Logical operations staged per UTC day: what the app's direct writes would have cost,
 * for the report's compression ratio.
 */
@Component
public class StagedTally implements Trimmable {

	private static final String SELECT = """
			SELECT puts, deletes, uploads, changes FROM kv_staged_daily WHERE usage_day = ?
			""";

	private static final String BETWEEN = """
			SELECT usage_day, puts, deletes, uploads, changes FROM kv_staged_daily
			WHERE usage_day >= ? AND usage_day <= ?
			""";

	private static final String DUE = "SELECT COUNT(*) FROM kv_staged_daily WHERE usage_day < ?";

	private static final String DELETE_BEFORE = "DELETE FROM kv_staged_daily WHERE usage_day < ?";

	private static final String OLDEST_BEFORE = "SELECT MIN(usage_day) FROM kv_staged_daily WHERE usage_day < ?";

	private final JdbcClient jdbc;

	private final Ledger ledger;

	private final ReadsSaved readsSaved;

	/** Adds a day's counts to its row, or makes the row. */
	private final String add;

	public StagedTally(JdbcClient jdbc, Ledger ledger, ReadsSaved readsSaved, Upserts upserts) {
		this.jdbc = jdbc;
		this.ledger = ledger;
		this.readsSaved = readsSaved;
		Map<String, Upserts.Merge> counts = new LinkedHashMap<>();
		for (String column : List.of("puts", "deletes", "uploads", "changes")) {
			counts.put(column, Upserts.Merge.ADD);
		}
		this.add = upserts.sql("kv_staged_daily", List.of("usage_day"), counts);
	}

	/** Adds counts to a day, in the caller's transaction. */
	public void add(LocalDate day, Counts counts) {
		if (counts.isEmpty()) {
			return;
		}
		this.jdbc.sql(this.add)
			.params(day, counts.puts(), counts.deletes(), counts.uploads(), counts.changes())
			.update();
	}

	/** The counts of a day (zeros when nothing was staged). */
	public Counts on(LocalDate day) {
		return this.jdbc.sql(SELECT)
			.param(day)
			.query((rs, row) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
			.optional()
			.orElse(new Counts(0, 0, 0, 0));
	}

	/** Staged counts per day in a range; days with nothing staged are absent. */
	public Map<LocalDate, Counts> between(LocalDate from, LocalDate to) {
		Map<LocalDate, Counts> staged = new TreeMap<>();
		this.jdbc.sql(BETWEEN).params(from, to).query((rs) -> {
			staged.put(rs.getObject(1, LocalDate.class),
					new Counts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
		});
		return staged;
	}

	/**
	 * Days of tallies, of reads saved and of the ledger's daily roll-up before the
	 * cutoff's UTC day, all kept for {@code kvbatch.retention.ledger-daily}.
	 */
	@Override
	public String kind() {
		return "ledger-daily";
	}

	@Override
	public long due(Instant cutoff) {
		LocalDate day = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
		return this.jdbc.sql(DUE).param(day).query(Long.class).single() + this.ledger.dailyRowsBefore(day)
				+ this.readsSaved.rowsBefore(day);
	}

	/**
	 * One day per call, the oldest due in any of the three tables: a day holds at most
	 * one row per table (and target and operation), so a call stays small whatever the
	 * backlog.
	 */
	@Override
	public long trim(Instant cutoff, int batchSize) {
		LocalDate day = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
		LocalDate oldest = Stream
			.of(oldestBefore(day), this.ledger.oldestDailyDayBefore(day), this.readsSaved.oldestDayBefore(day))
			.filter(Objects::nonNull)
			.min(Comparator.naturalOrder())
			.orElse(null);
		if (oldest == null) {
			return 0;
		}
		LocalDate before = oldest.plusDays(1);
		return this.ledger.trimDailyRowsBefore(before) + this.readsSaved.trimBefore(before)
				+ this.jdbc.sql(DELETE_BEFORE).param(before).update();
	}

	private @Nullable LocalDate oldestBefore(LocalDate day) {
		return this.jdbc.sql(OLDEST_BEFORE).param(day).query(LocalDate.class).list().get(0);
	}

	public record Counts(long puts, long deletes, long uploads, long changes) {

		public boolean isEmpty() {
			return this.puts == 0 && this.deletes == 0;
		}

		public long total() {
			return this.puts + this.deletes;
		}

		public Counts plus(Counts other) {
			return new Counts(this.puts + other.puts, this.deletes + other.deletes, this.uploads + other.uploads,
					this.changes + other.changes);
		}

	}

}
