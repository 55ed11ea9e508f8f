package dev.kvbatch.cli;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/**
 * An H2 trigger on {@code kv_cursor} that fails the statement once a number of cursor
 * moves have gone through: a crash in the middle of the apply step, inside a chunk's
 * transaction.
 */
public class CrashOnCursorMove implements Trigger {

	static final AtomicInteger movesLeft = new AtomicInteger();

	@Override
	public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
		if (movesLeft.getAndDecrement() <= 0) {
			throw new SQLException("simulated crash while applying the outbox");
		}
	}

	/**
	 * Installs the trigger in a data folder's database, letting {@code moves} through.
	 */
	static void install(java.nio.file.Path dataDir, int moves) throws SQLException {
		movesLeft.set(moves);
		try (Connection connection = TableRows.connect(dataDir)) {
			connection.createStatement()
				.execute("CREATE TRIGGER crash_on_cursor_move BEFORE INSERT, UPDATE ON kv_cursor FOR EACH ROW CALL '"
						+ CrashOnCursorMove.class.getName() + "'");
		}
	}

	static void remove(java.nio.file.Path dataDir) throws SQLException {
		try (Connection connection = TableRows.connect(dataDir)) {
			connection.createStatement().execute("DROP TRIGGER crash_on_cursor_move");
		}
	}

}
