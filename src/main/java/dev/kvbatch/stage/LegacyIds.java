package dev.kvbatch.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.kvbatch.Trimmable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The staged idempotency ids: those an earlier version kept in the database
 * ({@code kv_staged_id}, the owner of its SQL) and the {@link IdempotencyIndex} that
 * keeps them now. The table only drains: the ingest asks it about ids until retention has
 * emptied it. Thread-safe.
 */
@Component
public class LegacyIds implements Trimmable {

	private static final String ANY = "SELECT 1 FROM kv_staged_id FETCH FIRST 1 ROWS ONLY";

	private static final String KNOWN = "SELECT id FROM kv_staged_id WHERE id = ANY(?)";

	private static final String DUE = "SELECT COUNT(*) FROM kv_staged_id WHERE staged_at < ?";

	private static final String OLDEST = "SELECT id FROM kv_staged_id WHERE staged_at < ? FETCH FIRST ? ROWS ONLY";

	private static final String DELETE = "DELETE FROM kv_staged_id WHERE id = ?";

	private final JdbcTemplate jdbc;

	private final IdempotencyIndex index;

	public LegacyIds(JdbcTemplate jdbc, IdempotencyIndex index) {
		this.jdbc = jdbc;
		this.index = index;
	}

	/**
	 * Of these ids, the ones an earlier version recorded as staged; none, without a
	 * lookup per id, once the table is empty.
	 */
	public Set<String> knownIds(Collection<String> ids) {
		Set<String> known = new HashSet<>();
		if (ids.isEmpty() || this.jdbc.queryForList(ANY, Integer.class).isEmpty()) {
			return known;
		}
		this.jdbc.query(KNOWN, (ResultSet rs) -> {
			known.add(rs.getString(1));
		}, (Object) ids.toArray(String[]::new));
		return known;
	}

	@Override
	public String kind() {
		return "idempotency-ids";
	}

	@Override
	public long due(Instant cutoff) {
		Long rows = this.jdbc.queryForObject(DUE, Long.class, cutoff.toEpochMilli());
		return ((rows != null) ? rows : 0) + indexed(() -> this.index.countBefore(cutoff));
	}

	/**
	 * Ids in the table go first; then the index, which holds itself only a moment per
	 * batch, so stage runs never wait long.
	 */
	@Override
	public long trim(Instant cutoff, int batchSize) {
		List<String> oldest = this.jdbc.queryForList(OLDEST, String.class, cutoff.toEpochMilli(), batchSize);
		if (!oldest.isEmpty()) {
			this.jdbc.batchUpdate(DELETE, oldest, oldest.size(), (ps, id) -> ps.setString(1, id));
			return oldest.size();
		}
		return indexed(() -> this.index.trim(cutoff, batchSize));
	}

	private static long indexed(IndexCall call) {
		try {
			return call.apply();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@FunctionalInterface
	private interface IndexCall {

		long apply() throws IOException;

	}

}
