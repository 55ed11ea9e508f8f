package dev.kvbatch.metering;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.kvbatch.Upserts;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * KV reads answered from kvbatch's own state instead of KV, per UTC day: what KV neither
 * served nor billed, for the usage report's "KV reads saved".
 *
 * <p>
 * {@link #count} only adds in memory (a {@link LongAdder} per day), so a read in the
 * request path costs no database write and no lock; {@link #flush} adds what was counted
 * to the day's row in one upsert per day, and whoever counts calls it about once a second
 * and at shutdown. A count is an estimate of money not spent, not a staged write: a kill
 * -9 loses at most what was counted since the last flush. A flush that fails puts its
 * counts back for the next one, so none is lost to a database hiccup. Thread-safe.
 */
@Component
public class ReadsSaved {

	private static final String ON = "SELECT saved FROM kv_reads_saved_daily WHERE usage_day = ?";

	private static final String DUE = "SELECT COUNT(*) FROM kv_reads_saved_daily WHERE usage_day < ?";

	private static final String DELETE_BEFORE = "DELETE FROM kv_reads_saved_daily WHERE usage_day < ?";

	private final JdbcClient jdbc;

	private final Clock clock;

	private final String add;

	private final Map<LocalDate, LongAdder> counted = new ConcurrentHashMap<>();

	public ReadsSaved(JdbcClient jdbc, Clock clock, Upserts upserts) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.add = upserts.sql("kv_reads_saved_daily", List.of("usage_day"), Map.of("saved", Upserts.Merge.ADD));
	}

	/** Counts {@code reads} saved now (UTC day of the clock), in memory only. */
	public void count(long reads) {
		if (reads <= 0) {
			return;
		}
		LocalDate day = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		this.counted.computeIfAbsent(day, (d) -> new LongAdder()).add(reads);
	}

	/**
	 * Adds what was counted since the last flush to the days' rows, one upsert per day
	 * with counts, each in its own auto-committed statement. Idle when nothing was
	 * counted (no statement at all). Counts made while it runs are left for the next
	 * flush, never lost.
	 * @return the reads written
	 */
	public long flush() {
		long written = 0;
		LocalDate today = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		for (Map.Entry<LocalDate, LongAdder> day : this.counted.entrySet()) {
			long reads = day.getValue().sumThenReset();
			if (reads > 0) {
				try {
					this.jdbc.sql(this.add).params(day.getKey(), reads).update();
					written += reads;
				}
				catch (RuntimeException ex) {
					day.getValue().add(reads);
					throw ex;
				}
			}
			if (day.getKey().isBefore(today.minusDays(1))) {
				// No read is counted two days back any more: the map keeps two days.
				this.counted.remove(day.getKey());
			}
		}
		return written;
	}

	/** Reads saved on a UTC day, as flushed (0 when none). */
	public long on(LocalDate day) {
		return this.jdbc.sql(ON).param(day).query(Long.class).optional().orElse(0L);
	}

	/** Days before {@code day} kept; trimmed with the daily ledger. */
	/** The oldest day counted before a day, if any. */
	@Nullable LocalDate oldestDayBefore(LocalDate day) {
		return this.jdbc.sql("SELECT MIN(usage_day) FROM kv_reads_saved_daily WHERE usage_day < ?")
			.param(day)
			.query(LocalDate.class)
			.list()
			.get(0);
	}

	long rowsBefore(LocalDate day) {
		return this.jdbc.sql(DUE).param(day).query(Long.class).single();
	}

	/** Deletes the days before {@code day}, in the caller's transaction. */
	long trimBefore(LocalDate day) {
		return this.jdbc.sql(DELETE_BEFORE).param(day).update();
	}

}
