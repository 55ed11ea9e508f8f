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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import dev.kvbatch.pack.LogicalEntry;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.Packer;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.stage.RecordValidator;
import dev.kvbatch.stage.Rejection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Physical keys as views of the logical store: a physical value is a pure function of the
 * live entries that map to it, so planning the same dirty key twice gives the same plan.
 * A value is sent only when its digest (value and expiration) differs from the one last
 * sent.
 * <p>
 * An entry that cannot be packed with the others (a metric that would overflow its
 * bucket's sum, a map value over KV's size limit, …) is parked: taken out of the logical
 * store into the dead letters, naming its logical key, the physical key and the rule,
 * with a staging line that stages it again. The key's other entries are packed and sent
 * as if it had never been staged, and which entries are parked depends only on the
 * entries, so a repeated plan parks the same ones.
 * <p>
 * Owns {@code kv_physical}, what KV holds as far as kvbatch knows; the entries themselves
 * are read and parked through the {@link LogicalStore}.
 */
@Component
public class PhysicalViews {

	private static final Logger log = LoggerFactory.getLogger(PhysicalViews.class);

	private static final String SENT = "SELECT digest, expires_at FROM kv_physical WHERE physical_key = ?";

	private static final String WRITTEN = "SELECT physical_key FROM kv_physical WHERE physical_key = ANY(?)";

	private static final String FORGET = "DELETE FROM kv_physical WHERE physical_key = ?";

	private static final String REMEMBER = """
			INSERT INTO kv_physical (physical_key, rule, digest, expires_at, written_at) VALUES (?, ?, ?, ?, ?)
			""";

	/**
	 * A key whose entries all expire within this many seconds is not sent: the request
	 * would land about when KV should drop it.
	 */
	public static final long LANDING_SECONDS = 10;

	private static final int DIGEST_BUFFER = 64 * 1024;

	private final JdbcClient jdbc;

	private final JdbcTemplate batch;

	private final LogicalStore entries;

	private final Packer packer;

	private final DeadLetters deadLetters;

	private final JsonMapper mapper;

	private final Clock clock;

	public PhysicalViews(JdbcTemplate jdbc, LogicalStore entries, Packer packer, DeadLetters deadLetters,
			JsonMapper mapper, Clock clock) {
		this.jdbc = JdbcClient.create(jdbc);
		this.batch = jdbc;
		this.entries = entries;
		this.packer = packer;
		this.deadLetters = deadLetters;
		this.mapper = mapper;
		this.clock = clock;
	}

	/**
	 * Plans the flush of one dirty key, parking the entries that cannot be packed, in the
	 * caller's transaction.
	 */
	public FlushPlan plan(DirtyKey dirty) {
		return plan(dirty, true);
	}

	/**
	 * Plans the flush of one dirty key as {@link #plan} would, changing nothing: for a
	 * dry run.
	 */
	public FlushPlan preview(DirtyKey dirty) {
		return plan(dirty, false);
	}

	private FlushPlan plan(DirtyKey dirty, boolean park) {
		long now = this.clock.instant().getEpochSecond();
		List<Row> rows = this.entries.live(dirty.physicalKey(), now);
		Optional<Sent> sent = this.jdbc.sql(SENT).param(dirty.physicalKey()).query(Sent.class).optional();
		PhysicalValue value = rows.isEmpty() ? null : pack(dirty.physicalKey(), rows, park);
		if (value == null) {
			return gone(dirty, sent, now);
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
		return new FlushPlan.Put(dirty, rows.get(0).rule(), value, digest);
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
	 * Packs the entries of the first one's rule (the first by logical key); entries of
	 * another rule, left by a change of the rules, and entries that cannot be packed are
	 * parked.
	 * @return the value of the entries kept, or {@code null} when none is left
	 */
	private @Nullable PhysicalValue pack(String physicalKey, List<Row> rows, boolean park) {
		Row first = rows.get(0);
		List<Packer.Parked> parked = new ArrayList<>();
		List<LogicalEntry> entries = new ArrayList<>();
		for (Row row : rows) {
			if (row.rule().equals(first.rule()) && row.kind().equals(first.kind())) {
				entries.add(row.entry());
			}
			else {
				parked.add(new Packer.Parked(row.entry(), "key",
						"physical key \"" + physicalKey + "\" (rule " + first.rule() + "): logical key \""
								+ row.logicalKey() + "\" was placed by rule " + row.rule()
								+ ", whose rule changed since"));
			}
		}
		Packer.Packing packing = this.packer.packParking(physicalKey, first.rule(), PackKind.valueOf(first.kind()),
				entries);
		parked.addAll(packing.parked());
		if (park && !parked.isEmpty()) {
			park(parked);
		}
		return packing.value();
	}

	/** Takes parked entries out of the logical store, into the dead letters. */
	private void park(List<Packer.Parked> parked) {
		List<Rejection> letters = new ArrayList<>();
		for (Packer.Parked entry : parked) {
			String key = entry.entry().logicalKey();
			log.warn("Logical key \"{}\" parked in the dead letters: {}", key, entry.reason());
			letters.add(new Rejection("logical key " + key, 0, entry.field(), "parked: " + entry.reason(),
					cut(stagingLine(entry.entry()))));
		}
		this.entries.remove(parked.stream().map((entry) -> entry.entry().logicalKey()).toList());
		this.deadLetters.addAll(letters);
	}

	/**
	 * Of the given keys, those kvbatch has written and KV holds, as far as it knows.
	 * Read-only.
	 */
	public List<String> written(List<String> physicalKeys) {
		return this.jdbc.sql(WRITTEN).param(physicalKeys.toArray(String[]::new)).query(String.class).list();
	}

	/**
	 * Forgets what KV held for keys just deleted, expired, or about to be remembered
	 * anew, in the caller's transaction. Idempotent.
	 */
	public void forget(List<String> physicalKeys) {
		this.batch.batchUpdate(FORGET, physicalKeys, physicalKeys.size(), (ps, key) -> ps.setString(1, key));
	}

	/**
	 * Records what KV now holds for the keys just written, in the caller's transaction;
	 * {@link #forget} them first.
	 * @param written epoch milliseconds of the write
	 */
	public void remember(List<FlushPlan.Put> stored, long written) {
		this.batch.batchUpdate(REMEMBER, stored, stored.size(), (ps, put) -> {
			ps.setString(1, put.value().key());
			ps.setString(2, put.rule());
			ps.setString(3, put.digest());
			ps.setObject(4, put.value().expiresAt());
			ps.setLong(5, written);
		});
	}

	/** At most what a dead letter keeps of a line, never half a surrogate pair. */
	private static String cut(String line) {
		int max = RecordValidator.MAX_RAW_CHARS;
		if (line.length() <= max) {
			return line;
		}
		return line.substring(0, Character.isHighSurrogate(line.charAt(max - 1)) ? max - 1 : max);
	}

	/** The staging line that stages a parked entry again. */
	private String stagingLine(LogicalEntry entry) {
		ObjectNode line = this.mapper.createObjectNode();
		line.put("op", "put");
		line.put("key", entry.logicalKey());
		line.putRawValue("value", new RawValue(entry.valueJson()));
		if (entry.base64()) {
			line.put("base64", true);
		}
		if (entry.expiresAt() != null) {
			line.put("expiration", entry.expiresAt());
		}
		return this.mapper.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(line);
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
			utf8(sha, value.value());
			sha.update((byte) 0);
			sha.update(String.valueOf(value.expiresAt()).getBytes(StandardCharsets.UTF_8));
			if (value.base64()) {
				// Raw bytes whose base64 reads like a text value are another value. Only
				// then: a text value's digest stays as it was.
				sha.update((byte) 0);
				sha.update("base64".getBytes(StandardCharsets.US_ASCII));
			}
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

	/** A live entry of a physical key, as stored. */
	public record Row(String logicalKey, String rule, String kind, @Nullable String field, String valueJson,
			@Nullable Double metric, @Nullable Long expiresAt, @Nullable Boolean valueBase64) {

		public LogicalEntry entry() {
			return new LogicalEntry(this.logicalKey, this.field, this.valueJson, this.metric, this.expiresAt,
					Boolean.TRUE.equals(this.valueBase64));
		}

	}

	record Sent(String digest, @Nullable Long expiresAt) {
	}

}
