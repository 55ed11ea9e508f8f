package dev.kvbatch.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/**
 * An H2 trigger that fails a table's inserts and updates once a number of them have gone
 * through: a crash in the middle of a step, inside a chunk's transaction. On
 * {@code kv_cursor} it stops the apply step, on {@code kv_spool_progress} the ingest
 * step.
 */
public class CrashingTrigger implements Trigger {

	private static final AtomicInteger changesLeft = new AtomicInteger();

	@Override
	public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
		if (changesLeft.getAndDecrement() <= 0) {
			throw new SQLException("simulated crash");
		}
	}

	/** Installs the trigger on a table of a data folder's database. */
	static void install(Path dataDir, String table, int changesLetThrough) throws SQLException {
		changesLeft.set(changesLetThrough);
		try (Connection connection = TableRows.connect(dataDir)) {
			connection.createStatement()
				.execute("CREATE TRIGGER crash_" + table + " BEFORE INSERT, UPDATE ON " + table + " FOR EACH ROW CALL '"
						+ CrashingTrigger.class.getName() + "'");
		}
	}

	static void remove(Path dataDir, String table) throws SQLException {
		try (Connection connection = TableRows.connect(dataDir)) {
			connection.createStatement().execute("DROP TRIGGER crash_" + table);
		}
	}

}
