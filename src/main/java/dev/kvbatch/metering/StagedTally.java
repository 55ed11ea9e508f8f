package dev.kvbatch.metering;

import java.time.LocalDate;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Logical operations staged per UTC day: what the app's direct writes would have cost,
 * for the report's compression ratio.
 */
@Component
public class StagedTally {

	private static final String UPDATE = """
			UPDATE kv_staged_daily SET puts = puts + ?, deletes = deletes + ?, uploads = uploads + ?,
			changes = changes + ? WHERE usage_day = ?
			""";

	private static final String INSERT = """
			INSERT INTO kv_staged_daily (usage_day, puts, deletes, uploads, changes) VALUES (?, ?, ?, ?, ?)
			""";

	private static final String SELECT = """
			SELECT puts, deletes, uploads, changes FROM kv_staged_daily WHERE usage_day = ?
			""";

	private final JdbcClient jdbc;

	public StagedTally(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Adds counts to a day, in the caller's transaction. */
	public void add(LocalDate day, Counts counts) {
		if (counts.isEmpty()) {
			return;
		}
		int updated = this.jdbc.sql(UPDATE)
			.params(counts.puts(), counts.deletes(), counts.uploads(), counts.changes(), day)
			.update();
		if (updated == 0) {
			this.jdbc.sql(INSERT)
				.params(day, counts.puts(), counts.deletes(), counts.uploads(), counts.changes())
				.update();
		}
	}

	/** The counts of a day (zeros when nothing was staged). */
	public Counts on(LocalDate day) {
		return this.jdbc.sql(SELECT)
			.param(day)
			.query((rs, row) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
			.optional()
			.orElse(new Counts(0, 0, 0, 0));
	}

	/** Staged logical operations: puts and deletes, and the same split by kind. */
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
