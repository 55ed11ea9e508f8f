package dev.kvbatch.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads a data folder's H2 database directly, between command runs. */
final class TableRows {

	private TableRows() {
	}

	/** A connection to the data folder's H2 file, as kvbatch opens it by default. */
	static Connection connect(Path dataDir) throws SQLException {
		return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("kvbatch"), "sa", "");
	}

	static long count(Path dataDir, String table) {
		try (Connection connection = connect(dataDir);
				ResultSet rs = connection.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
			rs.next();
			return rs.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The rows of a query, each as its columns joined by {@code " | "}. */
	static List<String> rows(Path dataDir, String sql) {
		try (Connection connection = connect(dataDir); ResultSet rs = connection.createStatement().executeQuery(sql)) {
			List<String> rows = new ArrayList<>();
			int columns = rs.getMetaData().getColumnCount();
			while (rs.next()) {
				StringBuilder row = new StringBuilder();
				for (int column = 1; column <= columns; column++) {
					row.append((column > 1) ? " | " : "").append(rs.getString(column));
				}
				rows.add(row.toString());
			}
			return rows;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The dead letters, oldest first, as {@code source:line field: reason}. */
	static List<String> deadLetters(Path dataDir) {
		try (Connection connection = connect(dataDir);
				ResultSet rs = connection.createStatement()
					.executeQuery("SELECT source, line, field, reason FROM kv_dead_letter ORDER BY id")) {
			List<String> rows = new ArrayList<>();
			while (rs.next()) {
				rows.add(rs.getString(1) + ":" + rs.getLong(2) + " " + rs.getString(3) + ": " + rs.getString(4));
			}
			return rows;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
