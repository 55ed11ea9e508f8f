package dev.kvbatch.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Counts rows in a data folder's database directly, between command runs. */
final class TableRows {

	private TableRows() {
	}

	static long count(Path dataDir, String table) {
		try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("kvbatch"), "sa",
				""); ResultSet rs = connection.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
			rs.next();
			return rs.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
