package dev.kvbatch.stage;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

import javax.sql.DataSource;

import dev.kvbatch.PagedQuery;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.stereotype.Component;

/**
 * The outbox ({@code kv_outbox}): staged records in staging order. Rows are appended in
 * batches and never updated; consumers keep a cursor (see {@code kv_cursor}) instead of
 * marking rows, which keeps H2's append-only file small.
 */
@Component
public class Outbox {

	/** Columns in the order {@link #ROW_MAPPER} reads them, after the id. */
	public static final String COLUMNS = "id, op, logical_key, value_json, expires_at, event_at, kind, seq, staged_at, value_base64";

	private static final int COLUMN_COUNT = 10;

	private static final String INSERT = """
			INSERT INTO kv_outbox (op, logical_key, value_json, expires_at, event_at, kind, seq, staged_at, value_base64)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			""";

	private static final String PAGE = "SELECT " + COLUMNS
			+ " FROM kv_outbox WHERE id > ? AND id <= ? ORDER BY id FETCH FIRST ? ROWS ONLY";

	/** {@link #PAGE} with each row's size last, known without reading its value. */
	private static final String SIZED_PAGE = "SELECT " + COLUMNS
			+ ", OCTET_LENGTH(logical_key) + COALESCE(OCTET_LENGTH(value_json), 0)"
			+ " FROM kv_outbox WHERE id > ? AND id <= ? ORDER BY id FETCH FIRST ? ROWS ONLY";

	private static final String APPLIED_DUE = "SELECT COUNT(*) FROM kv_outbox WHERE id <= ? AND staged_at < ?";

	/**
	 * The last id of the oldest batch of applied rows: a delete bounded by it runs on the
	 * primary key (H2 re-evaluates an {@code IN (SELECT … FETCH FIRST n)} per candidate
	 * row, which is quadratic).
	 */
	private static final String APPLIED_BATCH_END = """
			SELECT MAX(id) FROM (SELECT id FROM kv_outbox WHERE id <= ? AND staged_at < ?
			ORDER BY id FETCH FIRST ? ROWS ONLY) oldest""";

	private static final String DELETE_APPLIED = "DELETE FROM kv_outbox WHERE id <= ? AND staged_at < ?";

	private static final String NEWEST_AFTER = """
			SELECT op, value_json, expires_at, value_base64 FROM kv_outbox WHERE id > ? AND logical_key = ?
			ORDER BY id DESC FETCH FIRST 1 ROWS ONLY
			""";

	private static final String KEYS_AFTER = """
			SELECT logical_key, op FROM kv_outbox WHERE id > ? AND logical_key > ? AND logical_key LIKE ? ESCAPE '\\'
			ORDER BY id
			""";

	private static final String EVENTS_AFTER = "SELECT logical_key, event_at FROM kv_outbox WHERE id > ? ORDER BY id";

	private static final String BACKLOG = "SELECT COUNT(*), MIN(staged_at) FROM kv_outbox WHERE id > ?";

	/**
	 * The staging times (epoch ms) of rows after id {@code :from} staged before
	 * {@code :asOf} (epoch ms), in id order: the backlog a report counts.
	 */
	public static final PagedQuery<Long> STAGED_BEFORE = new PagedQuery<>("id, staged_at", "kv_outbox",
			"id > :from AND staged_at < :asOf", List.of("id"), (rs, row) -> rs.getLong(2));

	/**
	 * Reads {@link #COLUMNS} into the id and the record (the idempotency id is not kept
	 * on the row).
	 */
	public static final RowMapper<Row> ROW_MAPPER = Outbox::row;

	/**
	 * The PostgreSQL advisory lock that makes the outbox's high-water mark safe under
	 * concurrent stagers. An identity value is taken when a row is inserted, not when its
	 * transaction commits: a stager holding id 7 open while another commits id 8 would
	 * let a compress that read {@code MAX(id) = 8} move its cursor past 7, and row 7,
	 * committed a moment later, would never be applied. So every stager takes this lock
	 * in shared mode in its transaction before it inserts ({@link #shareWithCompress()}),
	 * and {@link #highWater()} takes it exclusively for the one statement that reads
	 * {@code MAX(id)}: it waits until every open staging transaction has committed or
	 * rolled back, and a stager that starts meanwhile waits the few milliseconds of that
	 * read (PostgreSQL queues a shared request behind a waiting exclusive one, so
	 * compress is never starved). Every id at or below the mark read is then committed or
	 * never will be, and every later insert takes a higher id. Stagers share the lock, so
	 * replicas never wait for one another; prune's deletes of applied rows take no part
	 * in it.
	 */
	public static final long STAGERS_LOCK = 0x6b76_6f75_7462_6f78L;

	private static final String SHARE_STAGERS_LOCK = "SELECT pg_advisory_xact_lock_shared(?)";

	private static final String TAKE_STAGERS_LOCK = "SELECT pg_advisory_lock(?)";

	private static final String RELEASE_STAGERS_LOCK = "SELECT pg_advisory_unlock(?)";

	private final JdbcTemplate jdbc;

	private volatile @Nullable Boolean postgres;

	public Outbox(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Appends records in one batch, in the caller's transaction. */
	public void append(List<StagedRecord> records) {
		this.jdbc.batchUpdate(INSERT, records, records.size(), (ps, record) -> {
			ps.setString(1, (record.op() == Op.PUT) ? "P" : "D");
			ps.setString(2, record.key());
			ps.setString(3, record.valueJson());
			ps.setObject(4, record.expiresAt());
			ps.setLong(5, record.at().toEpochMilli());
			ps.setString(6, (record.kind() == Kind.UPLOAD) ? "U" : "C");
			ps.setObject(7, record.seq());
			ps.setLong(8, record.stagedAt().toEpochMilli());
			// NULL, not false, for a JSON value: rows read as they did before raw values.
			ps.setObject(9, record.base64() ? Boolean.TRUE : null, java.sql.Types.BOOLEAN);
		});
	}

	/**
	 * The highest id staged so far, 0 for an empty outbox: what compress may apply up to.
	 * On PostgreSQL, where stagers insert while compress runs, it is read behind the
	 * {@linkplain #STAGERS_LOCK stagers' lock}, so no row at or below it can still be
	 * committed later.
	 */
	public long highWater() {
		if (postgres()) {
			return highWaterBehindStagers();
		}
		Long max = this.jdbc.queryForObject("SELECT MAX(id) FROM kv_outbox", Long.class);
		return (max != null) ? max : 0;
	}

	/**
	 * The highest id staged so far, 0 for an empty outbox, read without waiting for open
	 * stagers: an estimate, for the backlog. Compress uses {@link #highWater()}.
	 */
	public long lastId() {
		Long max = this.jdbc.queryForObject("SELECT MAX(id) FROM kv_outbox", Long.class);
		return (max != null) ? max : 0;
	}

	/**
	 * The newest operation on {@code logicalKey} after id {@code after}, if any: a range
	 * scan on the primary key, bounded by the backlog.
	 */
	public @Nullable Newest newestAfter(long after, String logicalKey) {
		List<Newest> rows = this.jdbc.query(NEWEST_AFTER, (rs, n) -> new Newest("D".equals(rs.getString(1)),
				rs.getString(2), (Long) rs.getObject(3, Long.class), rs.getBoolean(4)), after, logicalKey);
		return rows.isEmpty() ? null : rows.get(0);
	}

	/**
	 * Each operation after id {@code after} on a key after {@code afterKey} that is
	 * {@code LIKE} {@code like} (a backslash escapes), in id order: the key and whether
	 * it is a put.
	 */
	public void keysAfter(long after, String afterKey, String like, BiConsumer<String, Boolean> each) {
		this.jdbc.query(KEYS_AFTER, (rs) -> {
			each.accept(rs.getString(1), "P".equals(rs.getString(2)));
		}, after, afterKey, like);
	}

	/** Each operation after id {@code after}, in id order: its key and event time. */
	public void eventsAfter(long after, BiConsumer<String, Instant> each) {
		this.jdbc.query(EVENTS_AFTER, (rs) -> {
			each.accept(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
		}, after);
	}

	/**
	 * How many logical keys the outbox holds operations of: a full scan, for the bench.
	 */
	public long distinctLogicalKeys() {
		Long keys = this.jdbc.queryForObject("SELECT COUNT(DISTINCT logical_key) FROM kv_outbox", Long.class);
		return (keys != null) ? keys : 0;
	}

	/**
	 * Up to {@code size} rows after id {@code after} and up to id {@code upTo}, in id
	 * order: a range scan on the primary key, one short query per page, so no cursor
	 * stays open while the caller writes.
	 */
	public List<Row> page(long after, long upTo, int size) {
		return this.jdbc.query(PAGE, ROW_MAPPER, after, upTo, size);
	}

	/**
	 * As {@link #page}, but only as many rows as fit in {@code maxBytes} of UTF-8 key and
	 * value (and one that does not, if {@code atLeastOne}): a row's value is read only
	 * once it is known to fit, so a page never holds more of the large values than its
	 * bytes allow.
	 */
	public List<Row> page(long after, long upTo, int size, long maxBytes, boolean atLeastOne) {
		return this.jdbc.query(SIZED_PAGE, (ResultSet rs) -> {
			List<Row> rows = new ArrayList<>();
			long bytes = 0;
			while (rs.next()) {
				bytes += rs.getLong(COLUMN_COUNT + 1);
				if (bytes > maxBytes && (!rows.isEmpty() || !atLeastOne)) {
					break;
				}
				rows.add(row(rs, rows.size()));
			}
			return rows;
		}, after, upTo, size);
	}

	/**
	 * How many rows up to {@code appliedUpTo} were staged before {@code cutoff}.
	 * @param appliedUpTo the id the logical store has applied up to
	 */
	public long dueApplied(long appliedUpTo, Instant cutoff) {
		Long due = this.jdbc.queryForObject(APPLIED_DUE, Long.class, appliedUpTo, cutoff.toEpochMilli());
		return (due != null) ? due : 0;
	}

	/**
	 * Deletes at most {@code batchSize} of the oldest rows up to {@code appliedUpTo}
	 * staged before {@code cutoff}, in the caller's transaction.
	 * @return how many were deleted
	 */
	public long trimApplied(long appliedUpTo, Instant cutoff, int batchSize) {
		Long upTo = this.jdbc.queryForObject(APPLIED_BATCH_END, Long.class, appliedUpTo, cutoff.toEpochMilli(),
				batchSize);
		return (upTo != null) ? this.jdbc.update(DELETE_APPLIED, upTo, cutoff.toEpochMilli()) : 0;
	}

	/**
	 * The rows after {@code appliedUpTo} and when the oldest of them was staged: a range
	 * scan on the primary key, bounded by the backlog.
	 * @param appliedUpTo the id the logical store has applied up to
	 */
	public Backlog backlog(long appliedUpTo) {
		return Objects.requireNonNull(this.jdbc.queryForObject(BACKLOG, (rs, row) -> {
			long rows = rs.getLong(1);
			long oldest = rs.getLong(2);
			return new Backlog(rows, rs.wasNull() ? null : Instant.ofEpochMilli(oldest));
		}, appliedUpTo));
	}

	/**
	 * Takes the stagers' lock in shared mode until the caller's transaction ends: a
	 * PostgreSQL stager calls it in its transaction before its first insert (see
	 * {@link #STAGERS_LOCK}). Stagers share it, so they never wait for one another.
	 */
	public void shareWithCompress() {
		this.jdbc.queryForList(SHARE_STAGERS_LOCK, STAGERS_LOCK);
	}

	/**
	 * On a connection of its own, holding nothing else: the caller's transaction (the
	 * ingest step's last one) may hold a row a stager waits for, and waiting for that
	 * stager while holding it would be a deadlock. The caller's own uncommitted rows are
	 * not seen, which is safe: they commit before compress applies anything.
	 */
	private long highWaterBehindStagers() {
		try (Connection connection = dataSource().getConnection()) {
			connection.setAutoCommit(true);
			try (PreparedStatement lock = connection.prepareStatement(TAKE_STAGERS_LOCK)) {
				lock.setLong(1, STAGERS_LOCK);
				lock.execute();
			}
			try (Statement read = connection.createStatement();
					ResultSet rs = read.executeQuery("SELECT COALESCE(MAX(id), 0) FROM kv_outbox")) {
				rs.next();
				return rs.getLong(1);
			}
			finally {
				try (PreparedStatement unlock = connection.prepareStatement(RELEASE_STAGERS_LOCK)) {
					unlock.setLong(1, STAGERS_LOCK);
					unlock.execute();
				}
			}
		}
		catch (SQLException ex) {
			throw new DataAccessResourceFailureException("kvbatch cannot read the outbox's high-water mark", ex);
		}
	}

	private DataSource dataSource() {
		return Objects.requireNonNull(this.jdbc.getDataSource(), "the outbox's data source");
	}

	private boolean postgres() {
		Boolean postgres = this.postgres;
		if (postgres == null) {
			try {
				postgres = "PostgreSQL"
					.equals(JdbcUtils.extractDatabaseMetaData(dataSource(), DatabaseMetaData::getDatabaseProductName));
			}
			catch (MetaDataAccessException ex) {
				throw new IllegalStateException("kvbatch cannot tell which database holds the outbox", ex);
			}
			this.postgres = postgres;
		}
		return postgres;
	}

	private static Row row(ResultSet rs, int rowNum) throws SQLException {
		long expiresAt = rs.getLong(5);
		Long expiration = rs.wasNull() ? null : expiresAt;
		long seq = rs.getLong(8);
		Long seqValue = rs.wasNull() ? null : seq;
		StagedRecord record = new StagedRecord("P".equals(rs.getString(2)) ? Op.PUT : Op.DELETE, rs.getString(3),
				rs.getString(4), expiration, Instant.ofEpochMilli(rs.getLong(6)), null,
				"U".equals(rs.getString(7)) ? Kind.UPLOAD : Kind.CHANGE, seqValue, Instant.ofEpochMilli(rs.getLong(9)),
				rs.getBoolean(10));
		return new Row(rs.getLong(1), record);
	}

	/** Rows staged and not yet applied, and the staging time of the oldest of them. */
	/**
	 * A key's newest staged operation: a delete, or a put of its value (JSON text, or
	 * base64 of raw bytes when {@code base64}).
	 */
	public record Newest(boolean delete, @Nullable String valueJson, @Nullable Long expiresAt, boolean base64) {
	}

	public record Backlog(long rows, @Nullable Instant oldestStagedAt) {
	}

	/** A staged record with its outbox id. */
	public record Row(long id, StagedRecord record) {
	}

}
