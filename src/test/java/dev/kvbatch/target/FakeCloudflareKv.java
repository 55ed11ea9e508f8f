package dev.kvbatch.target;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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

/**
 * A small, stateful Cloudflare Workers KV namespace inside WireMock: bulk write, bulk
 * delete, bulk get, value read and list keep a real map, so a test can compare what
 * reached "KV" with the embedded target. Stubs with a higher priority (a lower number)
 * than {@link #PRIORITY} put faults in front of it.
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

	private final NavigableMap<String, Stored> keys = new ConcurrentSkipListMap<>(UTF8_ORDER);

	private final Set<String> failOnce = ConcurrentHashMap.newKeySet();

	private final AtomicInteger listsLeft = new AtomicInteger(Integer.MAX_VALUE);

	private final AtomicLong billedWrites = new AtomicLong();

	private final AtomicLong billedDeletes = new AtomicLong();

	private final AtomicInteger bulkRequests = new AtomicInteger();

	private volatile int bulkAnswerDelayMillis;

	private volatile int promptBulkAnswers;

	private final WireMockServer server;

	private FakeCloudflareKv() {
		this.server = new WireMockServer(WireMockConfiguration.options().dynamicPort().extensions(this));
	}

	/** Starts a server whose namespace {@link #NAMESPACE_PATH} is this fake. */
	public static FakeCloudflareKv startServer() {
		FakeCloudflareKv kv = new FakeCloudflareKv();
		kv.server.start();
		kv.server.stubFor(WireMock.any(WireMock.urlPathMatching(NAMESPACE_PATH + "/.*"))
			.atPriority(PRIORITY)
			.willReturn(WireMock.aResponse().withTransformers(NAME)));
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

	/** What the namespace holds, in KV's order. */
	public Map<String, Stored> snapshot() {
		return new LinkedHashMap<>(this.keys);
	}

	/** Puts a key straight into the namespace, as an app writing KV itself would. */
	public void seed(String key, String value, @Nullable Long expiration) {
		this.keys.put(key, new Stored(value, expiration));
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
		if (method.equals("PUT") && path.equals("/bulk")) {
			List<String> unsuccessful = new ArrayList<>();
			JsonNode pairs = JSON.readTree(request.getBody());
			this.billedWrites.addAndGet(pairs.size());
			int arrived = this.bulkRequests.incrementAndGet();
			for (JsonNode pair : pairs.values()) {
				String key = pair.path("key").asString();
				if (this.failOnce.remove(key)) {
					unsuccessful.add(key);
					continue;
				}
				JsonNode expiration = pair.path("expiration");
				this.keys.put(key,
						new Stored(pair.path("value").asString(), expiration.isNumber() ? expiration.asLong() : null));
			}
			return delayed(arrived, bulkResult(unsuccessful));
		}
		if (method.equals("POST") && path.equals("/bulk/delete")) {
			List<String> unsuccessful = new ArrayList<>();
			JsonNode keys = JSON.readTree(request.getBody());
			this.billedDeletes.addAndGet(keys.size());
			int arrived = this.bulkRequests.incrementAndGet();
			for (JsonNode key : keys.values()) {
				if (this.failOnce.remove(key.asString())) {
					unsuccessful.add(key.asString());
				}
				else {
					this.keys.remove(key.asString());
				}
			}
			return delayed(arrived, bulkResult(unsuccessful));
		}
		if (method.equals("POST") && path.equals("/bulk/get")) {
			Map<String, Object> values = new LinkedHashMap<>();
			for (JsonNode key : JSON.readTree(request.getBody()).path("keys").values()) {
				Stored stored = this.keys.get(key.asString());
				if (stored == null) {
					values.put(key.asString(), null);
				}
				else {
					Map<String, Object> entry = new LinkedHashMap<>();
					entry.put("value", stored.value());
					entry.put("metadata", null);
					if (stored.expiration() != null) {
						entry.put("expiration", stored.expiration());
					}
					values.put(key.asString(), entry);
				}
			}
			return success(Map.of("values", values), null);
		}
		if (method.equals("GET") && path.startsWith("/values/")) {
			Stored stored = this.keys.get(decode(path.substring("/values/".length())));
			if (stored == null) {
				return error(404, 10009, "get: 'key not found'");
			}
			ResponseDefinitionBuilder ok = WireMock.aResponse()
				.withStatus(200)
				.withHeader("Content-Type", "application/octet-stream")
				.withBody(stored.value().getBytes(StandardCharsets.UTF_8));
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
			if (!entry.getKey().startsWith(prefix)) {
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

	private static String decode(String text) {
		return URLDecoder.decode(text, StandardCharsets.UTF_8);
	}

	private static ResponseDefinition bulkResult(List<String> unsuccessful) {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("successful_key_count", 0);
		result.put("unsuccessful_keys", unsuccessful);
		return success(result, null);
	}

	static ResponseDefinition success(Object result, @Nullable Object resultInfo) {
		Map<String, Object> envelope = new LinkedHashMap<>();
		envelope.put("success", true);
		envelope.put("errors", List.of());
		envelope.put("messages", List.of());
		envelope.put("result", result);
		if (resultInfo != null) {
			envelope.put("result_info", resultInfo);
		}
		return WireMock.aResponse()
			.withStatus(200)
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

	/** A value KV holds, with its expiration in epoch seconds. */
	public record Stored(String value, @Nullable Long expiration) {
	}

}
