package dev.kvbatch.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import dev.kvbatch.pack.LogicalEntry;
import dev.kvbatch.pack.PackException;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.Packer;
import dev.kvbatch.pack.PhysicalValue;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Physical keys as views of the logical store: a physical value is a pure function of the
 * live entries that map to it, so planning the same dirty key twice gives the same plan.
 * A value is sent only when its digest (value and expiration) differs from the one last
 * sent.
 */
@Component
public class PhysicalViews {

	private static final String ENTRIES = """
			SELECT logical_key, rule, kind, field, value_json, metric, expires_at FROM kv_entry
			WHERE physical_key = ? AND (expires_at IS NULL OR expires_at > ?)
			""";

	private static final String SENT = "SELECT digest, expires_at FROM kv_physical WHERE physical_key = ?";

	/**
	 * A key whose entries all expire within this many seconds is not sent: the request
	 * would land about when KV should drop it.
	 */
	static final long LANDING_SECONDS = 10;

	private final JdbcClient jdbc;

	private final Packer packer;

	private final Clock clock;

	public PhysicalViews(JdbcClient jdbc, Packer packer, Clock clock) {
		this.jdbc = jdbc;
		this.packer = packer;
		this.clock = clock;
	}

	/** Plans the flush of one dirty key. */
	public FlushPlan plan(DirtyKey dirty) {
		long now = this.clock.instant().getEpochSecond();
		List<Row> rows = this.jdbc.sql(ENTRIES).params(dirty.physicalKey(), now).query(Row.class).list();
		Optional<Sent> sent = this.jdbc.sql(SENT).param(dirty.physicalKey()).query(Sent.class).optional();
		if (rows.isEmpty()) {
			return gone(dirty, sent, now);
		}
		Row first = rows.get(0);
		PhysicalValue value;
		try {
			value = this.packer.pack(dirty.physicalKey(), first.rule(), PackKind.valueOf(first.kind()),
					rows.stream().map(Row::entry).toList());
		}
		catch (PackException ex) {
			return new FlushPlan.Refused(dirty, ex.getMessage());
		}
		String digest = digest(value);
		if (sent.isPresent() && sent.get().digest().equals(digest)) {
			return new FlushPlan.Unchanged(dirty, false);
		}
		if (!sendable(value.expiresAt(), now)) {
			// Every entry expires before a request could land: KV would drop the key at
			// once, so it is treated as gone already.
			return gone(dirty, sent, now);
		}
		return new FlushPlan.Put(dirty, first.rule(), value, digest);
	}

	/** A key with nothing to send: delete what KV holds, unless KV has expired it. */
	private static FlushPlan gone(DirtyKey dirty, Optional<Sent> sent, long now) {
		if (sent.isEmpty()) {
			return new FlushPlan.Unchanged(dirty, false);
		}
		// KV expires keys for free; deleting one it has already expired would be a
		// billed no-op.
		boolean expiredInKv = sent.get().expiresAt() != null && sent.get().expiresAt() <= now;
		return expiredInKv ? new FlushPlan.Unchanged(dirty, true) : new FlushPlan.Delete(dirty);
	}

	/**
	 * Whether a key expiring then is worth sending now: it must outlive the time a
	 * request takes to land ({@link #LANDING_SECONDS}). Its expiration is sent as it is:
	 * one under KV's 60 s minimum is kept as that minimum by the target, so KV never
	 * refuses it.
	 * @param expiresAt the key's expiration in epoch seconds, {@code null} for never
	 * @param now the time of the plan, in epoch seconds
	 * @return whether to send it
	 */
	static boolean sendable(@Nullable Long expiresAt, long now) {
		return expiresAt == null || expiresAt > now + LANDING_SECONDS;
	}

	static String digest(PhysicalValue value) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(value.value().getBytes(StandardCharsets.UTF_8));
			sha.update((byte) 0);
			sha.update(String.valueOf(value.expiresAt()).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(sha.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	record Row(String logicalKey, String rule, String kind, @Nullable String field, String valueJson,
			@Nullable Double metric, @Nullable Long expiresAt) {

		LogicalEntry entry() {
			return new LogicalEntry(this.logicalKey, this.field, this.valueJson, this.metric, this.expiresAt);
		}

	}

	record Sent(String digest, @Nullable Long expiresAt) {
	}

}
