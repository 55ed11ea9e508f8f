package dev.kvbatch.stage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.kvbatch.Trimmable;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The dead letters ({@code kv_dead_letter}, the owner of its SQL): input that broke a
 * rule, kept with its source, line, field and reason; listed as operators see them, and
 * marked when they were staged again or resolved by hand. Operators never delete a letter
 * (retention does, by age), so nothing an operator did loses one. Rows join the caller's
 * transaction; every read is bounded by a limit; thread-safe.
 */
@Component
public class DeadLetters implements Trimmable {

	private static final String INSERT = """
			INSERT INTO kv_dead_letter (source, line, field, reason, raw, created_at) VALUES (?, ?, ?, ?, ?, ?)
			""";

	private static final String COLUMNS = """
			id, source, line, field, reason, raw, created_at, restaged_at, restaged_to, resolved_at, resolution
			""";

	private static final String LIST = "SELECT " + COLUMNS + """
			FROM kv_dead_letter WHERE created_at >= :since AND (:source = '' OR source = :source
			OR source LIKE :suffix) AND (:open = FALSE OR (restaged_at IS NULL AND resolved_at IS NULL))
			ORDER BY id FETCH FIRST :limit ROWS ONLY
			""";

	private static final String BY_ID = "SELECT " + COLUMNS + " FROM kv_dead_letter WHERE id = ?";

	private static final String OPEN_AFTER = "SELECT " + COLUMNS + """
			FROM kv_dead_letter WHERE id > ? AND restaged_at IS NULL AND resolved_at IS NULL
			ORDER BY id FETCH FIRST ? ROWS ONLY
			""";

	private static final String MARK_RESTAGED = """
			UPDATE kv_dead_letter SET restaged_at = ?, restaged_to = ?, resolution = ?
			WHERE id = ? AND restaged_at IS NULL AND resolved_at IS NULL
			""";

	private static final String MARK_RESOLVED = """
			UPDATE kv_dead_letter SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL
			""";

	private static final String OPEN_COUNT = """
			SELECT COUNT(*) FROM kv_dead_letter WHERE restaged_at IS NULL AND resolved_at IS NULL AND created_at < ?
			""";

	private static final String COUNTS = """
			SELECT COUNT(CASE WHEN created_at >= ? THEN 1 END), COUNT(*),
			COUNT(CASE WHEN (restaged_at IS NULL OR restaged_at >= ?) AND (resolved_at IS NULL OR resolved_at >= ?)
			THEN 1 END)
			FROM kv_dead_letter WHERE created_at < ?
			""";

	private static final String DUE = "SELECT COUNT(*) FROM kv_dead_letter WHERE created_at < ?";

	private static final String OLDEST = """
			SELECT id FROM kv_dead_letter WHERE created_at < ? ORDER BY id FETCH FIRST ? ROWS ONLY""";

	private static final String DELETE = "DELETE FROM kv_dead_letter WHERE id = ?";

	private final JdbcTemplate jdbcTemplate;

	private final JdbcClient jdbc;

	private final Clock clock;

	public DeadLetters(JdbcTemplate jdbc, Clock clock) {
		this.jdbcTemplate = jdbc;
		this.jdbc = JdbcClient.create(jdbc);
		this.clock = clock;
	}

	public void add(Rejection rejection) {
		addAll(List.of(rejection));
	}

	public void addAll(List<Rejection> rejections) {
		long now = this.clock.millis();
		this.jdbcTemplate.batchUpdate(INSERT, rejections, rejections.size(), (ps, rejection) -> {
			ps.setString(1, rejection.source());
			ps.setLong(2, rejection.line());
			ps.setString(3, rejection.field());
			ps.setString(4, rejection.reason());
			ps.setString(5, rejection.raw());
			ps.setLong(6, now);
		});
	}

	/**
	 * Letters created since {@code since}, oldest first, at most {@code limit}.
	 * @param source only letters of this source: its name, or a file name it ends with
	 * ({@code input.jsonl} finds {@code /in/input.jsonl}); empty for all
	 * @param openOnly only letters neither re-staged nor resolved
	 */
	public List<DeadLetter> list(Instant since, String source, boolean openOnly, int limit) {
		return this.jdbc.sql(LIST)
			.param("since", since.toEpochMilli())
			.param("source", source)
			.param("suffix", "%/" + source.replace("%", "\\%").replace("_", "\\_"))
			.param("open", openOnly)
			.param("limit", limit)
			.query(DeadLetters::row)
			.list();
	}

	public Optional<DeadLetter> find(long id) {
		return this.jdbc.sql(BY_ID).param(id).query(DeadLetters::row).optional();
	}

	/**
	 * Open letters with an id above {@code afterId}, in id order, at most {@code limit}.
	 */
	public List<DeadLetter> openAfter(long afterId, int limit) {
		return this.jdbc.sql(OPEN_AFTER).params(afterId, limit).query(DeadLetters::row).list();
	}

	/** Open letters created before {@code asOf}. */
	public long openCount(Instant asOf) {
		return this.jdbc.sql(OPEN_COUNT).param(asOf.toEpochMilli()).query(Long.class).single();
	}

	/**
	 * Marks letters as staged again into {@code spoolFile}, in one transaction.
	 * Idempotent: a letter already re-staged or resolved keeps its mark.
	 * @param outcomes per letter, what staging said: {@code accepted}, or why it was
	 * rejected again
	 */
	@Transactional
	public void markRestaged(List<Outcome> outcomes, String spoolFile) {
		long now = this.clock.millis();
		for (Outcome outcome : outcomes) {
			this.jdbc.sql(MARK_RESTAGED).params(now, spoolFile, outcome.result(), outcome.id()).update();
		}
	}

	/**
	 * Marks letters as resolved by hand, in one transaction. Idempotent.
	 * @return how many were marked now (not before)
	 */
	@Transactional
	public int markResolved(List<Long> ids, String note) {
		long now = this.clock.millis();
		int marked = 0;
		for (long id : ids) {
			marked += this.jdbc.sql(MARK_RESOLVED).params(now, note, id).update();
		}
		return marked;
	}

	private static DeadLetter row(ResultSet rs, int row) throws SQLException {
		return new DeadLetter(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
				rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), instant(rs, 8), rs.getString(9), instant(rs, 10),
				rs.getString(11));
	}

	private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
		long millis = rs.getLong(column);
		return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
	}

	/**
	 * One refused record.
	 *
	 * @param source the file (or {@code -}, {@code outbox}, {@code migrate}) it came from
	 * @param line its line there
	 * @param field the field that broke a rule, or null for the line as a whole
	 * @param raw the line as read, cut to the first 1,000 characters
	 * @param restagedTo the spool file it was staged into again
	 * @param resolution how it was handled: {@code accepted}, {@code rejected again: ...}
	 * or the operator's note
	 */
	public record DeadLetter(long id, String source, long line, @Nullable String field, String reason,
			@Nullable String raw, Instant createdAt, @Nullable Instant restagedAt, @Nullable String restagedTo,
			@Nullable Instant resolvedAt, @Nullable String resolution) {

		/** {@code open}, {@code restaged} or {@code resolved}. */
		public String status() {
			if (this.resolvedAt != null) {
				return "resolved";
			}
			return (this.restagedAt != null) ? "restaged" : "open";
		}

		public boolean open() {
			return this.restagedAt == null && this.resolvedAt == null;
		}

	}

	/**
	 * @param id the letter
	 * @param result {@code accepted}, or {@code rejected again: <reason>}
	 */
	public record Outcome(long id, String result) {
	}

	/**
	 * Letters created since {@code since}, all those kept, and those still open, as they
	 * stood at {@code asOf}.
	 */
	public Counts counts(Instant since, Instant asOf) {
		long at = asOf.toEpochMilli();
		return this.jdbc.sql(COUNTS)
			.params(since.toEpochMilli(), at, at, at)
			.query((rs, row) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
			.single();
	}

	/** Dead letters created since a time, kept, and open, as of a time. */
	public record Counts(long created, long kept, long open) {
	}

	@Override
	public String kind() {
		return "dead-letters";
	}

	@Override
	public long due(Instant cutoff) {
		return this.jdbc.sql(DUE).param(cutoff.toEpochMilli()).query(Long.class).single();
	}

	/** The oldest letters go first, whatever became of them. */
	@Override
	public long trim(Instant cutoff, int batchSize) {
		List<Long> oldest = this.jdbc.sql(OLDEST).params(cutoff.toEpochMilli(), batchSize).query(Long.class).list();
		this.jdbcTemplate.batchUpdate(DELETE, oldest, oldest.size(), (ps, id) -> ps.setLong(1, id));
		return oldest.size();
	}

}
