package dev.kvbatch.store;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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
import dev.kvbatch.pack.KvLimits;
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

	private static final int DIGEST_BUFFER = 64 * 1024;

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
			if (sent.isEmpty()) {
				return new FlushPlan.Unchanged(dirty, false);
			}
			// KV expires keys for free; deleting one it has already expired would be a
			// billed no-op.
			boolean expiredInKv = sent.get().expiresAt() != null && sent.get().expiresAt() <= now;
			return expiredInKv ? new FlushPlan.Unchanged(dirty, true) : new FlushPlan.Delete(dirty);
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
		return new FlushPlan.Put(dirty, first.rule(), sendable(value, now), digest);
	}

	/**
	 * KV refuses expirations under 60 s away. An entry that close to expiring is still
	 * live, so its key is kept a little longer rather than refused.
	 */
	private static PhysicalValue sendable(PhysicalValue value, long now) {
		Long expiresAt = value.expiresAt();
		if (expiresAt != null && expiresAt < now + KvLimits.MIN_TTL_SECONDS) {
			return new PhysicalValue(value.key(), value.value(), now + KvLimits.MIN_TTL_SECONDS);
		}
		return value;
	}

	static String digest(PhysicalValue value) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			utf8(sha, value.value());
			sha.update((byte) 0);
			sha.update(String.valueOf(value.expiresAt()).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(sha.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Feeds the UTF-8 bytes of a text to a digest through a small buffer: a 25 MiB value
	 * is not copied whole to be digested.
	 */
	private static void utf8(MessageDigest sha, String text) {
		// As String.getBytes does, a lone surrogate becomes '?'.
		CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
			.onMalformedInput(CodingErrorAction.REPLACE)
			.onUnmappableCharacter(CodingErrorAction.REPLACE);
		CharBuffer in = CharBuffer.wrap(text);
		ByteBuffer out = ByteBuffer.allocate(DIGEST_BUFFER);
		CoderResult result;
		do {
			result = encoder.encode(in, out, true);
			out.flip();
			sha.update(out);
			out.clear();
		}
		while (result.isOverflow());
		do {
			result = encoder.flush(out);
			out.flip();
			sha.update(out);
			out.clear();
		}
		while (result.isOverflow());
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
