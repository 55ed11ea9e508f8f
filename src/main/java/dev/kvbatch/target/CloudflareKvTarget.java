package dev.kvbatch.target;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.usage.Operation;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestClient;

/**
 * A Cloudflare Workers KV namespace, through the REST API ({@code /client/v4}, under
 * {@code /accounts/{account}/storage/kv/namespaces/{namespace}}).
 *
 * <ul>
 * <li>{@link #put}: {@code PUT /bulk}, values as UTF-8 text with their absolute
 * {@code expiration}, split into requests of at most 10,000 pairs and at most
 * {@code max-request-size} bytes of serialized JSON.</li>
 * <li>{@link #delete}: {@code POST /bulk/delete} (not the deprecated
 * {@code DELETE /bulk}), at most 10,000 keys a request.</li>
 * <li>{@link #get}: {@code GET /values/{key}}; {@link #bulkGet}: {@code POST /bulk/get},
 * 100 keys a request; {@link #list}: {@code GET /keys}.</li>
 * </ul>
 * Keys that a bulk call reports in {@code result.unsuccessful_keys}, even with HTTP 200,
 * are returned as not stored. Failures are described by {@link CloudflareClient}. Calls
 * do not join transactions: what KV accepted stays accepted when a chunk rolls back, and
 * is sent again by the next run (KV is last-write-wins). Thread-safe.
 */
public class CloudflareKvTarget implements KvTarget {

	/** A bulk get takes at most 100 keys. */
	static final int MAX_BULK_GET_KEYS = 100;

	/** KV's REST list refuses pages under 10 keys. */
	static final int MIN_LIST_LIMIT = 10;

	private final CloudflareClient client;

	private final JsonMapper json;

	private final Clock clock;

	private final long maxRequestBytes;

	CloudflareKvTarget(CloudflareClient client, JsonMapper json, Clock clock, long maxRequestBytes) {
		this.client = client;
		this.json = json;
		this.clock = clock;
		this.maxRequestBytes = maxRequestBytes;
	}

	/**
	 * A target for the configured namespace, over the JDK's HTTP client.
	 * @throws dev.kvbatch.ConfigurationException if the account, token or namespace is
	 * missing
	 */
	public static CloudflareKvTarget create(CloudflareProperties properties, RestClient.Builder rest, JsonMapper json,
			Clock clock, Sleeper sleeper) {
		properties.requireComplete();
		RestClient client = rest
			.requestFactory(ClientHttpRequestFactoryBuilder.jdk()
				.build(HttpClientSettings.defaults()
					.withTimeouts(properties.connectTimeout(), properties.readTimeout())))
			.build();
		return new CloudflareKvTarget(new CloudflareClient(client, properties, json, clock, sleeper), json, clock,
				properties.maxRequestSize().toBytes());
	}

	@Override
	public String name() {
		return "cloudflare";
	}

	@Override
	public List<String> put(List<PhysicalValue> values) {
		Instant now = this.clock.instant();
		values.forEach((value) -> KvChecks.value(value, now));
		List<String> notStored = new ArrayList<>();
		BulkBody body = new BulkBody();
		for (PhysicalValue value : values) {
			Map<String, Object> pair = new LinkedHashMap<>();
			pair.put("key", value.key());
			pair.put("value", value.value());
			if (value.expiresAt() != null) {
				pair.put("expiration", value.expiresAt());
			}
			byte[] item = this.json.writeValueAsBytes(pair);
			if (!body.fits(item)) {
				notStored.addAll(send(Operation.WRITE, HttpMethod.PUT, "/bulk", body));
				body = new BulkBody();
			}
			body.add(item);
		}
		if (!body.isEmpty()) {
			notStored.addAll(send(Operation.WRITE, HttpMethod.PUT, "/bulk", body));
		}
		return notStored;
	}

	@Override
	public List<String> delete(List<String> keys) {
		keys.forEach(KvChecks::key);
		List<String> notDeleted = new ArrayList<>();
		BulkBody body = new BulkBody();
		for (String key : keys) {
			byte[] item = this.json.writeValueAsBytes(key);
			if (!body.fits(item)) {
				notDeleted.addAll(send(Operation.DELETE, HttpMethod.POST, "/bulk/delete", body));
				body = new BulkBody();
			}
			body.add(item);
		}
		if (!body.isEmpty()) {
			notDeleted.addAll(send(Operation.DELETE, HttpMethod.POST, "/bulk/delete", body));
		}
		return notDeleted;
	}

	private List<String> send(Operation operation, HttpMethod method, String path, BulkBody body) {
		JsonNode result = this.client.call(operation, method, path, body.close()).result();
		List<String> unsuccessful = new ArrayList<>();
		for (JsonNode key : result.path("unsuccessful_keys").values()) {
			unsuccessful.add(key.asString());
		}
		return unsuccessful;
	}

	@Override
	public Optional<StoredValue> get(String key) {
		KvChecks.key(key);
		CloudflareClient.Reply reply = this.client.getRaw(Operation.READ, "/values/" + CloudflareClient.encode(key));
		if (reply == null) {
			return Optional.empty();
		}
		String expiration = reply.headers().getFirst("expiration");
		return Optional.of(new StoredValue(key, new String(reply.body(), StandardCharsets.UTF_8),
				(expiration != null && !expiration.isBlank()) ? Long.valueOf(expiration.trim()) : null));
	}

	/** {@code POST /bulk/get}, 100 keys a request, values as text with expirations. */
	@Override
	public List<StoredValue> bulkGet(List<String> keys) {
		keys.forEach(KvChecks::key);
		List<StoredValue> found = new ArrayList<>();
		for (int from = 0; from < keys.size(); from += MAX_BULK_GET_KEYS) {
			List<String> batch = keys.subList(from, Math.min(keys.size(), from + MAX_BULK_GET_KEYS));
			Map<String, Object> request = new LinkedHashMap<>();
			request.put("keys", batch);
			request.put("type", "text");
			request.put("withMetadata", true);
			JsonNode values = this.client
				.call(Operation.READ, HttpMethod.POST, "/bulk/get", this.json.writeValueAsBytes(request))
				.result()
				.path("values");
			for (String key : batch) {
				JsonNode entry = values.path(key);
				if (entry.isObject()) {
					JsonNode value = entry.path("value");
					JsonNode expiration = entry.path("expiration");
					found.add(new StoredValue(key,
							value.isString() ? value.asString() : this.json.writeValueAsString(value),
							expiration.isNumber() ? expiration.asLong() : null));
				}
			}
		}
		return found;
	}

	/**
	 * {@code GET /keys}. KV refuses pages under 10 keys, so a smaller {@code limit} is
	 * raised to 10. A page may be empty before the end (KV still walks recently deleted
	 * keys); the end is the page without a cursor.
	 */
	@Override
	public ListPage list(String prefix, @Nullable String cursor, int limit) {
		if (limit < 1 || limit > KvLimits.MAX_LIST_LIMIT) {
			throw new KvRejectedException("list limit must be 1 to 1000, was " + limit);
		}
		StringBuilder path = new StringBuilder("/keys?limit=").append(Math.max(limit, MIN_LIST_LIMIT));
		if (!prefix.isEmpty()) {
			path.append("&prefix=").append(CloudflareClient.encode(prefix));
		}
		if (cursor != null) {
			path.append("&cursor=").append(CloudflareClient.encode(cursor));
		}
		CloudflareClient.Envelope page = this.client.call(Operation.LIST, HttpMethod.GET, path.toString(), null);
		List<ListedKey> keys = new ArrayList<>();
		for (JsonNode key : page.result().values()) {
			JsonNode expiration = key.path("expiration");
			keys.add(new ListedKey(key.path("name").asString(), expiration.isNumber() ? expiration.asLong() : null));
		}
		String next = page.resultInfo().path("cursor").asString("");
		return new ListPage(keys, next.isEmpty() ? null : next);
	}

	/**
	 * A JSON array built item by item, which knows whether one more item keeps it within
	 * KV's 10,000 items and the request-size limit. An item alone is always sent, even if
	 * it is larger than the limit (a value is at most 25 MiB, under KV's 100 MB).
	 */
	private final class BulkBody {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private int items;

		BulkBody() {
			this.bytes.write('[');
		}

		boolean isEmpty() {
			return this.items == 0;
		}

		boolean fits(byte[] item) {
			// the comma before the item and the closing bracket
			return this.items == 0 || (this.items < KvLimits.MAX_BULK_KEYS
					&& this.bytes.size() + 1L + item.length + 1L <= CloudflareKvTarget.this.maxRequestBytes);
		}

		void add(byte[] item) {
			if (this.items > 0) {
				this.bytes.write(',');
			}
			this.bytes.writeBytes(item);
			this.items++;
		}

		byte[] close() {
			this.bytes.write(']');
			return this.bytes.toByteArray();
		}

	}

}
