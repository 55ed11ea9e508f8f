package dev.kvbatch.kv.cloudflare;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.util.UriUtils;

/**
 * A small, stateful Cloudflare Workers KV namespace inside WireMock: bulk write, bulk
 * delete, bulk get, value and metadata read and list keep a real map, so a test can
 * compare what reached "KV" with the embedded target. Stubs with a higher priority (a
 * lower number) than {@link #PRIORITY} put faults in front of it.
 *
 * <p>
 * It answers as Cloudflare documents the API, and where Miniflare's Local Explorer (which
 * mirrors it) showed the fake was wrong, as Miniflare does: a bulk write with an invalid
 * item (an empty, {@code .} or over-long key, an expiration or {@code expiration_ttl}
 * under 60 s, a duplicate key) is refused as a whole with HTTP 400 (414 for a long key)
 * and no result; a value over 25 MiB is refused with HTTP 413 that still lists it in
 * {@code result.unsuccessful_keys}, the others being stored; {@code expiration_ttl}
 * counts from the request; a bulk read answers {@code {value, metadata, expiration}}
 * objects with {@code withMetadata} and plain values without it, {@code null} for a
 * missing key, and HTTP 413 when its values pass 25 MiB; keys expire by the fake's clock;
 * another namespace is 404 with code 10013.
 */
public final class FakeCloudflareKv implements ResponseDefinitionTransformerV2 {

	public static final String ACCOUNT = "acc0123";

	public static final String NAMESPACE = "ns0123";

	public static final String TOKEN = "s3cr3t-T0KEN-do-not-print";

	public static final String NAMESPACE_PATH = "/client/v4/accounts/" + ACCOUNT + "/storage/kv/namespaces/"
			+ NAMESPACE;

	static final int PRIORITY = 10;

	private static final String NAME = "fake-cloudflare-kv";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** KV orders keys by their UTF-8 bytes. */
	private static final Comparator<String> UTF8_ORDER = (a, b) -> java.util.Arrays
		.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

	/** KV's limits, as the API enforces them. */
	private static final int MAX_KEY_BYTES = 512;

	private static final int MAX_VALUE_BYTES = 25 * 1024 * 1024;

	private static final int MAX_BULK_GET_BYTES = 25 * 1024 * 1024;

	private static final long MAX_REQUEST_BYTES = 100_000_000L;

	private static final long MIN_TTL = 60;

	private final NavigableMap<String, Stored> keys = new ConcurrentSkipListMap<>(UTF8_ORDER);

	private final Set<String> failOnce = ConcurrentHashMap.newKeySet();

	private final Set<String> refused = ConcurrentHashMap.newKeySet();

	private final AtomicInteger listsLeft = new AtomicInteger(Integer.MAX_VALUE);

	private final AtomicLong billedWrites = new AtomicLong();

	private final AtomicLong billedDeletes = new AtomicLong();

	private final AtomicInteger bulkRequests = new AtomicInteger();

	private volatile int bulkAnswerDelayMillis;

	private volatile int promptBulkAnswers;

	private final WireMockServer server;

	private final Clock clock;

	private volatile boolean plainBulkGet;

	private FakeCloudflareKv(Clock clock) {
		this.clock = clock;
		this.server = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(this));
	}

	/**
	 * Starts a server whose namespace {@link #NAMESPACE_PATH} is this fake, on the system
	 * clock.
	 */
	public static FakeCloudflareKv startServer() {
		return startServer(Clock.systemUTC());
	}

	/**
	 * Starts a server whose namespace {@link #NAMESPACE_PATH} is this fake; the clock
	 * decides what has expired and where {@code expiration_ttl} counts from.
	 */
	public static FakeCloudflareKv startServer(Clock clock) {
		FakeCloudflareKv kv = new FakeCloudflareKv(clock);
		kv.server.start();
		kv.server.stubFor(WireMock.any(WireMock.urlPathMatching(NAMESPACE_PATH + "/.*"))
			.atPriority(PRIORITY)
			.willReturn(WireMock.aResponse().withTransformers(NAME)));
		kv.server.stubFor(WireMock.any(WireMock.urlPathMatching("/client/v4/accounts/[^/]+/storage/kv/namespaces/.*"))
			.atPriority(PRIORITY + 1)
			.willReturn(WireMock.aResponse()
				.withStatus(404)
				.withHeader("Content-Type", "application/json")
				.withBody(errorBody(10013, "namespace not found"))));
		return kv;
	}

	public WireMockServer server() {
		return this.server;
	}

	public void stopServer() {
		this.server.stop();
	}

	/** The value of {@code kvbatch.cloudflare.base-url} for this server. */
	public String baseUrl() {
		return this.server.baseUrl() + "/client/v4";
	}

	/** The value of {@code kvbatch.cloudflare.namespace-url} for this server. */
	public String namespaceUrl() {
		return this.server.baseUrl() + NAMESPACE_PATH;
	}

	/** What the namespace holds and has not expired, in KV's order. */
	public Map<String, Stored> snapshot() {
		Map<String, Stored> live = new LinkedHashMap<>();
		this.keys.forEach((key, stored) -> {
			if (live(stored)) {
				live.put(key, stored);
			}
		});
		return live;
	}

	/**
	 * Bulk writes and deletes naming this key are refused as a whole, with the HTTP 400
	 * KV gives for an invalid item, until the fake stops.
	 */
	public void refuse(String key) {
		this.refused.add(key);
	}

	/**
	 * Bulk reads answer plain values and ignore {@code withMetadata}, as Miniflare does.
	 */
	public void answerBulkGetInPlainForm() {
		this.plainBulkGet = true;
	}

	/** Puts a key straight into the namespace, as an app writing KV itself would. */
	public void seed(String key, String value, @Nullable Long expiration) {
		this.keys.put(key, new Stored(value, expiration));
	}

	/** Puts raw bytes straight into the namespace, as an app writing KV itself would. */
	public void seed(String key, byte[] value, @Nullable Long expiration) {
		this.keys.put(key, new Stored(value.clone(), expiration));
	}

	/** Removes a key, as an app deleting it itself would. */
	public void remove(String key) {
		this.keys.remove(key);
	}

	/**
	 * List calls after the first {@code lists} are refused with HTTP 400 (not retried),
	 * until {@link #failListsAfter} is called again.
	 */
	public void failListsAfter(int lists) {
		this.listsLeft.set(lists);
	}

	/** The next bulk write or delete naming these keys reports them unsuccessful. */
	public void failOnce(String... keys) {
		this.failOnce.addAll(List.of(keys));
	}

	/** Empties the namespace and its counters, as a new namespace. */
	public void reset() {
		this.keys.clear();
		this.failOnce.clear();
		this.listsLeft.set(Integer.MAX_VALUE);
		this.billedWrites.set(0);
		this.billedDeletes.set(0);
		this.bulkRequests.set(0);
	}

	/**
	 * Keys of every bulk write received, unsuccessful ones included: the writes KV bills.
	 */
	public long billedWrites() {
		return this.billedWrites.get();
	}

	/** Keys of every bulk delete received: the deletes KV bills. */
	public long billedDeletes() {
		return this.billedDeletes.get();
	}

	/** Bulk write and delete requests received. */
	public int bulkRequests() {
		return this.bulkRequests.get();
	}

	/**
	 * A slow KV: each bulk write or delete takes effect (and is billed) when it arrives,
	 * and is answered this long after.
	 */
	public void delayBulkAnswers(Duration delay) {
		delayBulkAnswers(delay, 0);
	}

	/**
	 * Answers the first {@code prompt} bulk writes and deletes (counted from the first
	 * request) at once, and each later one {@code delay} after it arrived and took
	 * effect.
	 */
	public void delayBulkAnswers(Duration delay, int prompt) {
		this.promptBulkAnswers = prompt;
		this.bulkAnswerDelayMillis = (int) delay.toMillis();
	}

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public boolean applyGlobally() {
		return false;
	}

	@Override
	public ResponseDefinition transform(ServeEvent event) {
		Request request = event.getRequest();
		if (!("Bearer " + TOKEN).equals(request.getHeader("Authorization"))) {
			return error(401, 10000, "Authentication error");
		}
		String url = request.getUrl();
		String path = url.substring(NAMESPACE_PATH.length());
		String query = "";
		int q = path.indexOf('?');
		if (q >= 0) {
			query = path.substring(q + 1);
			path = path.substring(0, q);
		}
		String method = request.getMethod().getName();
		long now = this.clock.instant().getEpochSecond();
		if (method.equals("PUT") && path.equals("/bulk")) {
			return bulkWrite(request, now);
		}
		if (method.equals("POST") && path.equals("/bulk/delete")) {
			return bulkDelete(request);
		}
		if (method.equals("POST") && path.equals("/bulk/get")) {
			return bulkGet(request);
		}
		if (method.equals("GET") && (path.startsWith("/values/") || path.startsWith("/metadata/"))) {
			boolean value = path.startsWith("/values/");
			String key = decode(path.substring(path.indexOf('/', 1) + 1));
			Stored stored = this.keys.get(key);
			if (stored == null || !live(stored)) {
				return error(404, 10009, "get: 'key not found'");
			}
			if (!value) {
				return success(null, null);
			}
			ResponseDefinitionBuilder ok = WireMock.aResponse()
				.withStatus(200)
				.withHeader("Content-Type", "application/octet-stream")
				.withBody(stored.bytes());
			if (stored.expiration() != null) {
				ok.withHeader("expiration", String.valueOf(stored.expiration()));
			}
			return ok.build();
		}
		if (method.equals("GET") && path.equals("/keys")) {
			if (this.listsLeft.getAndUpdate((n) -> (n > 0) ? n - 1 : n) <= 0) {
				return error(400, 10001, "simulated refusal of a list");
			}
			return list(query(query));
		}
		return error(404, 7003, "No route for the URI");
	}

	private ResponseDefinition bulkWrite(Request request, long now) {
		if (request.getBody().length > MAX_REQUEST_BYTES) {
			return error(413, 10001, "the request is larger than 100 MB");
		}
		JsonNode pairs = JSON.readTree(request.getBody());
		this.billedWrites.addAndGet(pairs.size());
		int arrived = this.bulkRequests.incrementAndGet();
		// Every item is checked before any is stored: one invalid item refuses the
		// request.
		Map<String, JsonNode> writes = new LinkedHashMap<>();
		for (JsonNode pair : pairs.values()) {
			String key = pair.path("key").asString();
			ResponseDefinition invalid = invalidKey(key);
			if (invalid != null) {
				return invalid;
			}
			JsonNode ttl = pair.path("expiration_ttl");
			JsonNode expiration = pair.path("expiration");
			if (!ttl.isMissingNode() && (!ttl.canConvertToExactIntegral() || ttl.asLong() < MIN_TTL)) {
				return error(400, 10001, "Invalid expiration_ttl of " + ttl + ". Expiration TTL must be at least 60.");
			}
			if (ttl.isMissingNode() && !expiration.isMissingNode()
					&& (!expiration.canConvertToExactIntegral() || expiration.asLong() < now + MIN_TTL)) {
				return error(400, 10001, "Invalid expiration of " + expiration
						+ ". Expiration times must be at least 60 seconds in the future.");
			}
			JsonNode metadata = pair.path("metadata");
			if (!metadata.isMissingNode() && JSON.writeValueAsBytes(metadata).length > 1024) {
				return error(413, 10001, "Metadata length exceeds limit of 1024.");
			}
			JsonNode earlier = writes.put(key, pair);
			if (earlier != null && !earlier.equals(pair)) {
				return error(400, 10001,
						"received duplicate key with different values or expiration parameters: \"" + key + "\"");
			}
			if (this.refused.contains(key)) {
				return error(400, 10001, "Invalid key \"" + key + "\" (refused by the test)");
			}
		}
		List<String> unsuccessful = new ArrayList<>();
		String tooLarge = null;
		for (JsonNode pair : writes.values()) {
			String key = pair.path("key").asString();
			String value = pair.path("value").asString();
			// As KV does: a base64 value is decoded before it is stored (and measured).
			boolean base64 = pair.path("base64").asBoolean(false);
			int length = base64 ? java.util.Base64.getDecoder().decode(value).length
					: value.getBytes(StandardCharsets.UTF_8).length;
			if (length > MAX_VALUE_BYTES) {
				unsuccessful.add(key);
				tooLarge = "Value length of " + length + " exceeds limit of " + MAX_VALUE_BYTES + ".";
				continue;
			}
			if (this.failOnce.remove(key)) {
				unsuccessful.add(key);
				continue;
			}
			JsonNode ttl = pair.path("expiration_ttl");
			JsonNode expiration = pair.path("expiration");
			Long expiresAt = null;
			if (!ttl.isMissingNode()) {
				expiresAt = now + ttl.asLong();
			}
			else if (expiration.isNumber()) {
				expiresAt = expiration.asLong();
			}
			this.keys.put(key, base64 ? new Stored(java.util.Base64.getDecoder().decode(value), expiresAt)
					: new Stored(value, expiresAt));
		}
		if (tooLarge != null) {
			return response(413, false, List.of(Map.of("code", 10001, "message", tooLarge)),
					bulkResult(writes.size(), unsuccessful), null);
		}
		return delayed(arrived, success(bulkResult(writes.size(), unsuccessful), null));
	}

	private ResponseDefinition bulkDelete(Request request) {
		JsonNode keys = JSON.readTree(request.getBody());
		this.billedDeletes.addAndGet(keys.size());
		int arrived = this.bulkRequests.incrementAndGet();
		for (JsonNode key : keys.values()) {
			ResponseDefinition invalid = invalidKey(key.asString());
			if (invalid != null) {
				return invalid;
			}
			if (this.refused.contains(key.asString())) {
				return error(400, 10001, "Invalid key \"" + key.asString() + "\" (refused by the test)");
			}
		}
		List<String> unsuccessful = new ArrayList<>();
		for (JsonNode key : keys.values()) {
			if (this.failOnce.remove(key.asString())) {
				unsuccessful.add(key.asString());
			}
			else {
				this.keys.remove(key.asString());
			}
		}
		return delayed(arrived, success(bulkResult(keys.size(), unsuccessful), null));
	}

	private ResponseDefinition bulkGet(Request request) {
		JsonNode body = JSON.readTree(request.getBody());
		JsonNode keys = body.path("keys");
		String type = body.path("type").asString("text");
		if (!type.equals("text") && !type.equals("json")) {
			return error(400, 10001, "\"" + type + "\" is not a valid type. Use \"json\" or \"text\"");
		}
		if (keys.size() < 1 || keys.size() > 100) {
			return error(400, 10001, "You can request a maximum of 100 keys");
		}
		boolean withMetadata = body.path("withMetadata").asBoolean(false) && !this.plainBulkGet;
		Map<String, Object> values = new LinkedHashMap<>();
		long bytes = 0;
		for (JsonNode key : keys.values()) {
			Stored stored = this.keys.get(key.asString());
			if (stored == null || !live(stored)) {
				values.put(key.asString(), null);
				continue;
			}
			bytes += stored.value().getBytes(StandardCharsets.UTF_8).length;
			if (withMetadata) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("value", stored.value());
				entry.put("metadata", null);
				if (stored.expiration() != null) {
					entry.put("expiration", stored.expiration());
				}
				values.put(key.asString(), entry);
			}
			else {
				values.put(key.asString(), stored.value());
			}
		}
		if (bytes > MAX_BULK_GET_BYTES) {
			return error(413, 10000, "Total size of request exceeds the limit of 25MB");
		}
		return success(Map.of("values", values), null);
	}

	/** How KV refuses a key it cannot store, or {@code null} if it can. */
	private static @Nullable ResponseDefinition invalidKey(String key) {
		if (key.isEmpty()) {
			return error(400, 10001, "Key names must not be empty");
		}
		if (key.equals(".") || key.equals("..")) {
			return error(400, 10001, "Illegal key name \"" + key + "\". Please use a different name.");
		}
		int bytes = key.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > MAX_KEY_BYTES) {
			return error(414, 10001, "UTF-8 encoded length of " + bytes + " exceeds key length limit of 512.");
		}
		return null;
	}

	private boolean live(Stored stored) {
		return stored.expiration() == null || stored.expiration() > this.clock.instant().getEpochSecond();
	}

	private ResponseDefinition delayed(int request, ResponseDefinition answer) {
		int delay = this.bulkAnswerDelayMillis;
		return (delay > 0 && request > this.promptBulkAnswers)
				? ResponseDefinitionBuilder.like(answer).withFixedDelay(delay).build() : answer;
	}

	private ResponseDefinition list(Map<String, String> params) {
		String prefix = params.getOrDefault("prefix", "");
		int limit = Integer.parseInt(params.getOrDefault("limit", "1000"));
		if (limit < 10 || limit > 1000) {
			return error(400, 10001, "limit must be between 10 and 1000");
		}
		String after = params.containsKey("cursor")
				? new String(Base64.getUrlDecoder().decode(params.get("cursor")), StandardCharsets.UTF_8) : null;
		NavigableMap<String, Stored> from = (after != null) ? this.keys.tailMap(after, false) : this.keys;
		List<Map<String, Object>> page = new ArrayList<>();
		String last = null;
		boolean more = false;
		for (Map.Entry<String, Stored> entry : from.entrySet()) {
			if (!entry.getKey().startsWith(prefix) || !live(entry.getValue())) {
				continue;
			}
			if (page.size() == limit) {
				more = true;
				break;
			}
			Map<String, Object> key = new LinkedHashMap<>();
			key.put("name", entry.getKey());
			if (entry.getValue().expiration() != null) {
				key.put("expiration", entry.getValue().expiration());
			}
			page.add(key);
			last = entry.getKey();
		}
		String cursor = more ? Base64.getUrlEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)) : "";
		return success(page, Map.of("count", page.size(), "cursor", cursor));
	}

	private static Map<String, String> query(String query) {
		Map<String, String> params = new HashMap<>();
		for (String pair : query.split("&")) {
			int eq = pair.indexOf('=');
			if (eq > 0) {
				params.put(pair.substring(0, eq), decode(pair.substring(eq + 1)));
			}
		}
		return params;
	}

	/** Percent-decoding of a URL path or query part, RFC 3986 (a {@code +} stays). */
	private static String decode(String text) {
		return UriUtils.decode(text, StandardCharsets.UTF_8);
	}

	private static Map<String, Object> bulkResult(int keys, List<String> unsuccessful) {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("successful_key_count", keys - unsuccessful.size());
		result.put("unsuccessful_keys", unsuccessful);
		return result;
	}

	static ResponseDefinition success(@Nullable Object result, @Nullable Object resultInfo) {
		return response(200, true, List.of(), result, resultInfo);
	}

	private static ResponseDefinition response(int status, boolean success, List<?> errors, @Nullable Object result,
			@Nullable Object resultInfo) {
		Map<String, Object> envelope = new LinkedHashMap<>();
		envelope.put("success", success);
		envelope.put("errors", errors);
		envelope.put("messages", List.of());
		envelope.put("result", result);
		if (resultInfo != null) {
			envelope.put("result_info", resultInfo);
		}
		return WireMock.aResponse()
			.withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withBody(JSON.writeValueAsString(envelope))
			.build();
	}

	static ResponseDefinition error(int status, int code, String message) {
		return WireMock.aResponse()
			.withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withBody(errorBody(code, message))
			.build();
	}

	/** Cloudflare's failure envelope. */
	public static String errorBody(int code, String message) {
		Map<String, Object> envelope = new LinkedHashMap<>();
		envelope.put("success", false);
		envelope.put("errors", List.of(Map.of("code", code, "message", message)));
		envelope.put("messages", List.of());
		envelope.put("result", null);
		return JSON.writeValueAsString(envelope);
	}

	/**
	 * A value KV holds, with its expiration in epoch seconds; {@code value} is its bytes
	 * as UTF-8 text (lossy for bytes that are not UTF-8: see {@link #bytes}).
	 */
	public record Stored(String value, @Nullable Long expiration, byte @Nullable [] raw) {

		public Stored(String value, @Nullable Long expiration) {
			this(value, expiration, null);
		}

		/** A value written as raw bytes ({@code base64: true}). */
		Stored(byte[] raw, @Nullable Long expiration) {
			this(new String(raw, StandardCharsets.UTF_8), expiration, raw);
		}

		/** The bytes KV holds, which a read of the key answers. */
		public byte[] bytes() {
			return (this.raw != null) ? this.raw.clone() : this.value.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Stored stored && this.value.equals(stored.value)
					&& java.util.Objects.equals(this.expiration, stored.expiration)
					&& java.util.Arrays.equals(bytes(), stored.bytes());
		}

		@Override
		public int hashCode() {
			return java.util.Objects.hash(this.value, this.expiration);
		}

	}

}
