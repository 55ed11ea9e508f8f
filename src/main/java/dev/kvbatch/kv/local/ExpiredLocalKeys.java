package dev.kvbatch.kv.local;

import java.time.Instant;
import java.util.List;

import dev.kvbatch.Trimmable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keys of the embedded store past their expiration, removed as KV drops them itself: a
 * bean whatever {@code kvbatch.target} is, so keys a local run left are trimmed after a
 * switch to Cloudflare too. The SQL is {@link LocalKvTarget}'s, the table's owner.
 */
@Component
class ExpiredLocalKeys implements Trimmable {

	private final JdbcTemplate jdbc;

	ExpiredLocalKeys(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public String kind() {
		return "local-expired";
	}

	@Override
	public long due(Instant cutoff) {
		Long due = this.jdbc.queryForObject(LocalKvTarget.EXPIRED_DUE, Long.class, cutoff.getEpochSecond());
		return (due != null) ? due : 0;
	}

	@Override
	public long trim(Instant cutoff, int batchSize) {
		List<String> keys = this.jdbc.queryForList(LocalKvTarget.EXPIRED_BATCH, String.class, cutoff.getEpochSecond(),
				batchSize);
		this.jdbc.batchUpdate(LocalKvTarget.DELETE, keys, keys.size(), (ps, key) -> ps.setString(1, key));
		return keys.size();
	}

}
