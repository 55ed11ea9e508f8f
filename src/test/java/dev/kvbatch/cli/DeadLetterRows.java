package dev.kvbatch.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the dead-letter table of a data folder directly, as
 * {@code source:line field: reason-prefix}.
 */
final class DeadLetterRows {

	private DeadLetterRows() {
	}

	static List<String> read(Path dataDir) {
		try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("kvbatch"), "sa",
				"");
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
