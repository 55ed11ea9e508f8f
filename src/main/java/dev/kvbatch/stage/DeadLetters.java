package dev.kvbatch.stage;

import java.time.Clock;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Input that broke a rule, kept with its source, line, field and reason
 * ({@code kv_dead_letter}). Rows join the caller's transaction.
 */
@Component
public class DeadLetters {

	private static final String INSERT = """
			INSERT INTO kv_dead_letter (source, line, field, reason, raw, created_at) VALUES (?, ?, ?, ?, ?, ?)
			""";

	private final JdbcTemplate jdbc;

	private final Clock clock;

	public DeadLetters(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	public void add(Rejection rejection) {
		addAll(List.of(rejection));
	}

	public void addAll(List<Rejection> rejections) {
		long now = this.clock.millis();
		this.jdbc.batchUpdate(INSERT, rejections, rejections.size(), (ps, rejection) -> {
			ps.setString(1, rejection.source());
			ps.setLong(2, rejection.line());
			ps.setString(3, rejection.field());
			ps.setString(4, rejection.reason());
			ps.setString(5, rejection.raw());
			ps.setLong(6, now);
		});
	}

}
