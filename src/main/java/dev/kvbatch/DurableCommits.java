package dev.kvbatch;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Makes what the database has committed so far survive a {@code kill -9}, before
 * something outside the database is made to depend on it: a spool file moved to
 * {@code spool/done/}, a request sent to KV on the strength of a ledger row.
 *
 * <p>
 * H2 acknowledges a commit before it writes it: its write delay (500 ms unless the URL
 * sets {@code WRITE_DELAY}) lets a background thread gather commits into one write, and a
 * process killed meanwhile loses them while the file move it made stays. So on H2,
 * {@link #sync()} has H2 write and {@code fsync} the file ({@code CHECKPOINT SYNC}),
 * whatever the URL says. Commits nothing outside depends on keep H2's delay, which is
 * what lets its background thread also compact the file during a run ({@code
 * WRITE_DELAY=0} stops that thread: the file of a million-row run grew sixfold when it
 * was tried, see BENCHMARKS.md). Other databases (PostgreSQL) make a commit durable
 * before acknowledging it, so there {@code sync()} does nothing.
 *
 * <p>
 * {@code CHECKPOINT SYNC} needs an H2 user with admin rights, which the default
 * {@code sa} has; another user is refused at start-up with a configuration error.
 * Thread-safe; idempotent (a sync with nothing new to write only flushes the file).
 */
@Component
public class DurableCommits {

	private static final String H2_SYNC = "CHECKPOINT SYNC";

	/** H2's ADMIN_RIGHTS_REQUIRED. */
	private static final int H2_ADMIN_RIGHTS_REQUIRED = 90040;

	private final JdbcTemplate jdbc;

	private final boolean h2;

	public DurableCommits(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.h2 = isH2(dataSource);
		if (this.h2) {
			try {
				sync();
			}
			catch (DataAccessException ex) {
				if (ex.getCause() instanceof SQLException sql && sql.getErrorCode() == H2_ADMIN_RIGHTS_REQUIRED) {
					throw new ConfigurationException("the H2 user of spring.datasource.username needs admin rights: "
							+ "kvbatch has H2 write its commits to disk (CHECKPOINT SYNC) before moving spool files "
							+ "or sending requests to KV", ex);
				}
				throw ex;
			}
		}
	}

	/**
	 * Returns once every transaction committed so far is on disk. Commits of the calling
	 * thread's open transaction are not committed by it; call it after the commit that
	 * matters.
	 */
	public void sync() {
		if (this.h2) {
			this.jdbc.execute(H2_SYNC);
		}
	}

	private static boolean isH2(DataSource dataSource) {
		try {
			String product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
			return "H2".equalsIgnoreCase(product);
		}
		catch (MetaDataAccessException ex) {
			throw new IllegalStateException("cannot tell which database spring.datasource.url names", ex);
		}
	}

}
