package dev.kvbatch.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes the rows the usage report reads straight into a data folder's H2 file, as the
 * compress job and ingest would have: ledger calls, staged tallies, outbox rows, dead
 * letters and dirty keys. The schema must exist (run any database command first).
 */
final class UsageRows implements AutoCloseable {

	private final Connection connection;

	UsageRows(Path dataDir) throws SQLException {
		this.connection = TableRows.connect(dataDir);
	}

	UsageRows ledger(LocalDate day, String operation, String target, long keys) throws SQLException {
		update("INSERT INTO kv_ledger (usage_day, operation, target, keys, bytes, requests, recorded_at)"
				+ " VALUES (?, ?, ?, ?, 0, 1, 0)", day, operation, target, keys);
		return this;
	}

	/**
	 * A call recorded before it was sent whose answer never came (its process was
	 * killed): it counts as spent.
	 */
	UsageRows inFlight(LocalDate day, String operation, String target, long keys) throws SQLException {
		update("INSERT INTO kv_ledger (usage_day, operation, target, keys, bytes, requests, recorded_at, in_flight)"
				+ " VALUES (?, ?, ?, ?, 0, 1, 0, TRUE)", day, operation, target, keys);
		return this;
	}

	UsageRows staged(LocalDate day, long puts, long deletes, long uploads, long changes) throws SQLException {
		update("INSERT INTO kv_staged_daily (usage_day, puts, deletes, uploads, changes) VALUES (?, ?, ?, ?, ?)", day,
				puts, deletes, uploads, changes);
		return this;
	}

	UsageRows outbox(Instant stagedAt) throws SQLException {
		update("INSERT INTO kv_outbox (op, logical_key, value_json, event_at, kind, staged_at)"
				+ " VALUES ('P', 'k', '1', ?, 'C', ?)", stagedAt.toEpochMilli(), stagedAt.toEpochMilli());
		return this;
	}

	UsageRows deadLetter(Instant createdAt) throws SQLException {
		update("INSERT INTO kv_dead_letter (source, line, reason, created_at) VALUES ('in.jsonl', 1, 'bad', ?)",
				createdAt.toEpochMilli());
		return this;
	}

	UsageRows dirty(String physicalKey, Instant since) throws SQLException {
		update("INSERT INTO kv_dirty (physical_key, dirty_since) VALUES (?, ?)", physicalKey, since.toEpochMilli());
		return this;
	}

	private void update(String sql, Object... values) throws SQLException {
		try (PreparedStatement statement = this.connection.prepareStatement(sql)) {
			for (int i = 0; i < values.length; i++) {
				statement.setObject(i + 1, values[i]);
			}
			statement.executeUpdate();
		}
	}

	@Override
	public void close() throws SQLException {
		this.connection.close();
	}

}
