package dev.kvbatch;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

/**
 * The one way kvbatch writes a row that may already exist: a single statement, so two
 * writers cannot both miss the row and insert it twice, and no update-then-insert pair.
 * {@code MERGE} on H2, {@code INSERT … ON CONFLICT} on PostgreSQL. Parameters are the key
 * columns, then the value columns, in the order given. Thread-safe.
 */
@Component
public class Upserts {

	/** What a value column becomes when the row exists. */
	public enum Merge {

		/** The new value. */
		SET,
		/** The old value plus the new one (a tally). */
		ADD,
		/** The larger of the two (a cursor that only moves forward). */
		MAX

	}

	private final boolean postgres;

	public Upserts(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			this.postgres = connection.getMetaData()
				.getDatabaseProductName()
				.toLowerCase(Locale.ROOT)
				.contains("postgres");
		}
		catch (SQLException ex) {
			throw new DataAccessResourceFailureException("cannot tell the database's kind", ex);
		}
	}

	/**
	 * The upsert of one row of {@code table}.
	 * @param keys the primary key's columns
	 * @param values the other columns, each with what it becomes when the row exists
	 */
	public String sql(String table, List<String> keys, Map<String, Merge> values) {
		Map<String, Merge> columns = new LinkedHashMap<>(values);
		String all = String.join(", ", keys) + ", " + String.join(", ", columns.keySet());
		String marks = String.join(", ", Collections.nCopies(keys.size() + columns.size(), "?"));
		if (this.postgres) {
			String set = columns.entrySet()
				.stream()
				.map((column) -> column.getKey() + " = "
						+ merged(column.getValue(), table + "." + column.getKey(), "EXCLUDED." + column.getKey()))
				.collect(Collectors.joining(", "));
			return "INSERT INTO " + table + " (" + all + ") VALUES (" + marks + ") ON CONFLICT ("
					+ String.join(", ", keys) + ") DO UPDATE SET " + set;
		}
		String on = keys.stream().map((key) -> "t." + key + " = s." + key).collect(Collectors.joining(" AND "));
		String set = columns.entrySet()
			.stream()
			.map((column) -> column.getKey() + " = "
					+ merged(column.getValue(), "t." + column.getKey(), "s." + column.getKey()))
			.collect(Collectors.joining(", "));
		String inserted = (keys.stream().map((key) -> "s." + key)).collect(Collectors.joining(", ")) + ", "
				+ columns.keySet().stream().map((column) -> "s." + column).collect(Collectors.joining(", "));
		return "MERGE INTO " + table + " t USING (VALUES (" + marks + ")) s (" + all + ") ON " + on
				+ " WHEN MATCHED THEN UPDATE SET " + set + " WHEN NOT MATCHED THEN INSERT (" + all + ") VALUES ("
				+ inserted + ")";
	}

	private static String merged(Merge merge, String old, String given) {
		return switch (merge) {
			case SET -> given;
			case ADD -> old + " + " + given;
			case MAX -> "GREATEST(" + old + ", " + given + ")";
		};
	}

}
