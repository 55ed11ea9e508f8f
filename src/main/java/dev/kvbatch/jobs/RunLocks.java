package dev.kvbatch.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

import javax.sql.DataSource;

import dev.kvbatch.JobNames;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

/**
 * One run of a job at a time, across processes and on every database: a run claims its
 * job's row of {@code kv_job_lock} with {@code SELECT ... FOR UPDATE NOWAIT} on a
 * connection of its own and keeps that transaction open until it ends. A second claim
 * fails at once with {@link RunLockedException}; the database frees the row when the
 * holder's connection ends, also when its process is killed. {@code ingest} claims
 * {@code compress}'s lock, as it is compress's first step.
 */
@Component
public class RunLocks {

	private static final String CLAIM = """
			SELECT lock_name FROM kv_job_lock WHERE lock_name = ? FOR UPDATE NOWAIT
			""";

	private static final String ENSURE = """
			INSERT INTO kv_job_lock (lock_name) SELECT ? WHERE NOT EXISTS
			(SELECT 1 FROM kv_job_lock WHERE lock_name = ?)
			""";

	/** PostgreSQL's lock_not_available. */
	private static final String POSTGRES_LOCK_NOT_AVAILABLE = "55P03";

	/** H2's LOCK_TIMEOUT_1, which NOWAIT raises. */
	private static final int H2_LOCK_TIMEOUT = 50200;

	private final DataSource dataSource;

	public RunLocks(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * Claims the lock of a job for the caller until it closes the result.
	 * @throws RunLockedException if another run holds it
	 */
	public Held claim(String jobName) {
		String lockName = lockName(jobName);
		Connection connection = null;
		try {
			connection = this.dataSource.getConnection();
			ensureRow(connection, lockName);
			connection.setAutoCommit(false);
			try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
				claim.setString(1, lockName);
				try (ResultSet row = claim.executeQuery()) {
					if (!row.next()) {
						throw new IllegalStateException("no row \"" + lockName + "\" in kv_job_lock");
					}
				}
			}
			return new Held(connection);
		}
		catch (SQLException ex) {
			release(connection);
			if (POSTGRES_LOCK_NOT_AVAILABLE.equals(ex.getSQLState()) || ex.getErrorCode() == H2_LOCK_TIMEOUT) {
				throw new RunLockedException(jobName);
			}
			throw new DataAccessResourceFailureException("cannot claim the lock of " + jobName, ex);
		}
		catch (RuntimeException ex) {
			release(connection);
			throw ex;
		}
	}

	/** The lock a job's runs hold: its own, or compress's for ingest. */
	static String lockName(String jobName) {
		return JobNames.INGEST.equals(jobName) ? JobNames.COMPRESS : jobName;
	}

	/**
	 * Creates a job's row the first time it runs, so a job added later needs no
	 * migration. Two processes creating it at once: one insert wins, the other hits the
	 * primary key, and both go on to claim the same row.
	 */
	private static void ensureRow(Connection connection, String lockName) throws SQLException {
		connection.setAutoCommit(true);
		try (PreparedStatement ensure = connection.prepareStatement(ENSURE)) {
			ensure.setString(1, lockName);
			ensure.setString(2, lockName);
			ensure.executeUpdate();
		}
		catch (SQLException ex) {
			if (ex.getSQLState() == null || !ex.getSQLState().startsWith("23")) {
				throw ex;
			}
		}
	}

	private static void release(@Nullable Connection connection) {
		if (connection == null) {
			return;
		}
		try {
			connection.rollback();
		}
		catch (SQLException ex) {
			// Closing below releases the lock all the same.
		}
		try {
			connection.close();
		}
		catch (SQLException ex) {
			// Nothing left to release.
		}
	}

	/** A claimed lock; closing it ends the transaction that holds the row. */
	public static final class Held implements AutoCloseable {

		private final Connection connection;

		private Held(Connection connection) {
			this.connection = connection;
		}

		@Override
		public void close() {
			release(this.connection);
		}

	}

}
