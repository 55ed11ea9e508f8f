package dev.kvbatch.kv.cloudflare;

import dev.kvbatch.kv.KvAnswerTooLargeException;
import dev.kvbatch.kv.KvChecks;
import dev.kvbatch.kv.RequestLimits;
import dev.kvbatch.kv.KvItemsRefusedException;
import dev.kvbatch.kv.KvProtocolException;
import dev.kvbatch.kv.KvReads;
import dev.kvbatch.kv.KvRejectedException;
import dev.kvbatch.kv.KvTarget;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestClient;

/**
 * A Cloudflare Workers KV namespace, through the REST API ({@code /client/v4}, under
 * {@code /accounts/{account}/storage/kv/namespaces/{namespace}}, or at
 * {@code namespace-url}).
 *
 * <ul>
 * <li>{@link #put}: {@code PUT /bulk}, values as UTF-8 text (raw bytes in base64, with
 * {@code base64: true}), split into requests of at most 10,000 pairs and at most
 * {@code max-request-size} bytes of serialized JSON. An expiration at least
 * {@link #ABSOLUTE_MARGIN} beyond KV's 60 s minimum goes as the absolute
 * {@code expiration}; a nearer one as {@code expiration_ttl} (at least 60), which KV
 * counts from when the request lands, so neither clock skew nor a slow or retried request
 * can make KV refuse it.</li>
 * <li>{@link #delete}: {@code POST /bulk/delete} (not the deprecated
 * {@code DELETE /bulk}), at most 10,000 keys a request.</li>
 * <li>{@link #get}: {@code GET /values/{key}}; {@link #bulkGet}: {@code POST /bulk/get},
 * 100 keys a request; {@link #list}: {@code GET /keys}.</li>
 * </ul>
 * Keys that a bulk call reports in {@code result.unsuccessful_keys} on a successful
 * answer are returned as not stored. What KV refuses for good is reported by a
 * {@link KvItemsRefusedException} once every request of the call has been sent: keys that
 * break a limit (never sent), keys a refusal names in {@code unsuccessful_keys} (the
 * others of that request were stored), and the keys of a request refused as a whole (HTTP
 * 400, 413 or 414). Answers are read strictly: a shape kvbatch does not know fails with
 * {@link KvProtocolException}, never with keys silently left out. Other failures are
 * described by {@link CloudflareClient}. Calls do not join transactions: what KV accepted
 * stays accepted when a chunk rolls back, and is sent again by the next run (KV is
 * last-write-wins). Thread-safe.
 */
public class CloudflareKvTarget implements KvTarget {

	/** A bulk get takes at most 100 keys. */
	static final int MAX_BULK_GET_KEYS = 100;

	/**
	 * Workers KV's request limits: 10,000 keys a bulk write or delete (a write is also
	 * split at {@code max-request-bytes}), 100 a bulk read, 1,000 a list page.
	 */
	public static final RequestLimits LIMITS = new RequestLimits(10_000, MAX_BULK_GET_KEYS, 1000);

	/** KV's REST list refuses pages under 10 keys. */
	static final int MIN_LIST_LIMIT = 10;

	/**
	 * How much further than KV's 60 s minimum an expiration must be to go as an absolute
	 * time: room for clock skew, the request's transfer and a {@code Retry-After} wait of
	 * up to {@code max-retry-after}'s default before it lands.
	 */
	static final Duration ABSOLUTE_MARGIN = Duration.ofMinutes(10);

	/**
	 * HTTP statuses with which KV refuses a bulk request for what is in it (a key, a
	 * value, an expiration): sending its items in smaller requests finds the bad ones.
	 */
	private static final Set<Integer> ITEM_STATUSES = Set.of(400, 413, 414);

	/**
	 * Error codes that refuse a request for where it went, whatever its items: no route,
	 * no such namespace.
	 */
	private static final Set<Integer> REQUEST_CODES = Set.of(7000, 7001, 7003, CloudflareClient.NAMESPACE_NOT_FOUND);

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
	public RequestLimits limits() {
		return LIMITS;
	}

	@Override
	public String name() {
		return "cloudflare";
	}

	/**
	 * @throws KvItemsRefusedException after sending the rest, if KV refused some keys
	 */
	@Override
	public List<String> put(List<PhysicalValue> values) {
		long now = this.clock.instant().getEpochSecond();
		Bulk bulk = new Bulk(Operation.WRITE, HttpMethod.PUT, "/bulk");
		for (PhysicalValue value : values) {
			String problem = KvChecks.refusal(value);
			if (problem != null) {
				bulk.refusals.add(new KvItemsRefusedException.Refusal(List.of(value.key()), problem, true));
				continue;
			}
			Map<String, Object> pair = new LinkedHashMap<>();
			pair.put("key", value.key());
			pair.put("value", value.value());
			if (value.base64()) {
				// Raw bytes: KV decodes them before storing them.
				pair.put("base64", true);
			}
			Long expiration = value.expiresAt();
			if (expiration != null) {
				long left = expiration - now;
				if (left < KvLimits.MIN_TTL_SECONDS + ABSOLUTE_MARGIN.toSeconds()) {
					// The TTL that makes KV keep what the embedded store keeps.
					pair.put("expiration_ttl",
							Objects.requireNonNull(KvChecks.storedExpiration(expiration, now)) - now);
				}
				else {
					pair.put("expiration", expiration);
				}
			}
			bulk.add(value.key(), this.json.writeValueAsBytes(pair));
		}
		return bulk.finish();
	}

	/**
	 * @throws KvItemsRefusedException after sending the rest, if KV refused some keys
	 */
	@Override
	public List<String> delete(List<String> keys) {
		Bulk bulk = new Bulk(Operation.DELETE, HttpMethod.POST, "/bulk/delete");
		for (String key : keys) {
			String problem = KvChecks.refusal(key);
			if (problem != null) {
				bulk.refusals.add(new KvItemsRefusedException.Refusal(List.of(key), problem, true));
				continue;
			}
			bulk.add(key, this.json.writeValueAsBytes(key));
		}
		return bulk.finish();
	}

	@Override
	public Optional<StoredValue> get(String key) {
		KvChecks.key(key);
		CloudflareClient.Reply reply = this.client.getRaw(Operation.READ, "/values/" + CloudflareClient.encode(key));
		if (reply == null) {
			return Optional.empty();
		}
		String expiration = reply.headers().getFirst("expiration");
		Long expiresAt = null;
		if (expiration != null && !expiration.isBlank()) {
			try {
				expiresAt = Long.valueOf(expiration.trim());
			}
			catch (NumberFormatException ex) {
				throw new KvProtocolException(
						"Cloudflare KV answered a read of key \"%s\" with an expiration header that is not epoch seconds: %s"
							.formatted(abbreviate(key), abbreviate(expiration)));
			}
		}
		return Optional.of(StoredValue.ofBytes(key, reply.body(), expiresAt));
	}

	/**
	 * {@code POST /bulk/get}, 100 keys a request, values as text. Both documented answers
	 * are read: {@code values: {key: "text"}} (no expiration: Miniflare's Local Explorer
	 * answers so, and ignores {@code withMetadata}) and {@code values: {key: {value,
	 * metadata, expiration}}}; {@code null} is a key KV does not hold. Any other answer,
	 * or one that leaves out a key asked for, fails with {@link KvProtocolException}.
	 * @throws KvAnswerTooLargeException if KV refuses because the values of one request
	 * total more than 25 MiB (read fewer keys at a time, as {@link KvReads} does)
	 */
	@Override
	public List<StoredValue> bulkGet(List<String> keys) {
		keys.forEach(KvChecks::key);
		List<String> distinct = List.copyOf(new LinkedHashSet<>(keys));
		List<StoredValue> found = new ArrayList<>();
		for (int from = 0; from < distinct.size(); from += MAX_BULK_GET_KEYS) {
			List<String> batch = distinct.subList(from, Math.min(distinct.size(), from + MAX_BULK_GET_KEYS));
			Map<String, Object> request = new LinkedHashMap<>();
			request.put("keys", batch);
			request.put("type", "text");
			request.put("withMetadata", true);
			JsonNode result;
			try {
				result = this.client
					.call(Operation.READ, HttpMethod.POST, "/bulk/get", this.json.writeValueAsBytes(request))
					.result();
			}
			catch (CloudflareClient.Refusal refusal) {
				if (refusal.status() == 413) {
					throw new KvAnswerTooLargeException(refusal.getMessage());
				}
				throw refusal;
			}
			found.addAll(values(batch, result));
		}
		return found;
	}

	private List<StoredValue> values(List<String> batch, JsonNode result) {
		JsonNode values = result.path("values");
		if (!values.isObject()) {
			throw unexpected("it has no \"values\" object", result);
		}
		Set<String> asked = new HashSet<>(batch);
		for (String name : values.propertyNames()) {
			if (!asked.contains(name)) {
				throw unexpected("it holds key \"" + abbreviate(name) + "\", which was not asked for", result);
			}
		}
		List<StoredValue> found = new ArrayList<>();
		for (String key : batch) {
			JsonNode entry = values.get(key);
			if (entry == null) {
				throw unexpected("it leaves out key \"" + abbreviate(key) + "\"", result);
			}
			if (entry.isNull()) {
				continue;
			}
			if (entry.isString()) {
				found.add(new StoredValue(key, entry.asString(), null));
				continue;
			}
			JsonNode value = entry.path("value");
			JsonNode expiration = entry.path("expiration");
			if (!entry.isObject() || !value.isString()) {
				throw unexpected("the value of key \"" + abbreviate(key) + "\" is neither text, null, nor an object"
						+ " with a text \"value\"", result);
			}
			if (!expiration.isMissingNode() && !expiration.isNull() && !expiration.canConvertToExactIntegral()) {
				throw unexpected("the expiration of key \"" + abbreviate(key) + "\" is not epoch seconds", result);
			}
			found.add(new StoredValue(key, value.asString(), expiration.isNumber() ? expiration.asLong() : null));
		}
		return found;
	}

	private KvProtocolException unexpected(String why, JsonNode result) {
		return new KvProtocolException("Cloudflare KV answered a bulk read (POST /bulk/get) in a form kvbatch does not"
				+ " understand: " + why + "; the answer began " + abbreviate(this.json.writeValueAsString(result))
				+ ". Nothing of it was used.");
	}

	/**
	 * {@code GET /keys}. KV refuses pages under 10 keys, so a smaller {@code limit} is
	 * raised to 10. A page may be empty before the end (KV still walks recently deleted
	 * keys); the end is the page without a cursor.
	 * @throws KvProtocolException if the answer is not a list of named keys
	 */
	@Override
	public ListPage list(String prefix, @Nullable String cursor, int limit) {
		LIMITS.checkListLimit(limit);
		StringBuilder path = new StringBuilder("/keys?limit=").append(Math.max(limit, MIN_LIST_LIMIT));
		if (!prefix.isEmpty()) {
			path.append("&prefix=").append(CloudflareClient.encode(prefix));
		}
		if (cursor != null) {
			path.append("&cursor=").append(CloudflareClient.encode(cursor));
		}
		CloudflareClient.Envelope page = this.client.call(Operation.LIST, HttpMethod.GET, path.toString(), null);
		if (!page.result().isArray()) {
			throw unexpectedList("its result is not a list", page.result());
		}
		List<ListedKey> keys = new ArrayList<>();
		for (JsonNode key : page.result().values()) {
			JsonNode name = key.path("name");
			JsonNode expiration = key.path("expiration");
			if (!name.isString() || (!expiration.isMissingNode() && !expiration.isNull()
					&& !expiration.canConvertToExactIntegral())) {
				throw unexpectedList("an entry has no text \"name\" or an expiration that is not epoch seconds",
						page.result());
			}
			keys.add(new ListedKey(name.asString(), expiration.isNumber() ? expiration.asLong() : null));
		}
		JsonNode next = page.resultInfo().path("cursor");
		if (!next.isMissingNode() && !next.isNull() && !next.isString()) {
			throw unexpectedList("its cursor is not text", page.resultInfo());
		}
		String text = next.asString("");
		return new ListPage(keys, text.isEmpty() ? null : text);
	}

	private KvProtocolException unexpectedList(String why, JsonNode answer) {
		return new KvProtocolException("Cloudflare KV answered a list (GET /keys) in a form kvbatch does not"
				+ " understand: " + why + "; the answer began " + abbreviate(this.json.writeValueAsString(answer)));
	}

	private static String abbreviate(String text) {
		return (text.length() > 120) ? text.substring(0, 120) + "…" : text;
	}

	/**
	 * The requests of one bulk call: items go into bodies that keep within KV's limits;
	 * each full body is sent, and what KV did with its keys is collected.
	 */
	private final class Bulk {

		private final Operation operation;

		private final HttpMethod method;

		private final String path;

		private final List<KvItemsRefusedException.Refusal> refusals = new ArrayList<>();

		private final List<String> notStored = new ArrayList<>();

		private BulkBody body = new BulkBody();

		Bulk(Operation operation, HttpMethod method, String path) {
			this.operation = operation;
			this.method = method;
			this.path = path;
		}

		void add(String key, byte[] item) {
			if (!this.body.fits(item)) {
				send();
			}
			this.body.add(key, item);
		}

		/**
		 * Sends the last body.
		 * @return the keys not stored
		 * @throws KvItemsRefusedException if KV refused some keys
		 */
		List<String> finish() {
			if (!this.body.isEmpty()) {
				send();
			}
			if (!this.refusals.isEmpty()) {
				throw new KvItemsRefusedException(this.refusals, this.notStored);
			}
			return this.notStored;
		}

		private void send() {
			List<String> keys = this.body.keys;
			byte[] bytes = this.body.close();
			this.body = new BulkBody();
			try {
				JsonNode result = CloudflareKvTarget.this.client.call(this.operation, this.method, this.path, bytes)
					.result();
				this.notStored.addAll(unsuccessful(result, keys));
			}
			catch (CloudflareClient.Refusal refusal) {
				List<String> refused = unsuccessful(refusal.result(), keys);
				if (!refused.isEmpty()) {
					// The others of the request were stored: a 4xx that names keys
					// refuses
					// only them.
					this.refusals.add(new KvItemsRefusedException.Refusal(refused, refusal.getMessage(), false));
				}
				else if (ITEM_STATUSES.contains(refusal.status())
						&& refusal.codes().stream().noneMatch(REQUEST_CODES::contains)) {
					this.refusals.add(new KvItemsRefusedException.Refusal(keys, refusal.getMessage(), false));
				}
				else {
					throw refusal;
				}
			}
		}

		/**
		 * {@code result.unsuccessful_keys}: absent (an older answer) means none.
		 * @throws KvProtocolException if it is there but not a list of keys of the
		 * request
		 */
		private List<String> unsuccessful(@Nullable JsonNode result, List<String> sent) {
			JsonNode keys = (result != null) ? result.path("unsuccessful_keys") : null;
			if (keys == null || keys.isMissingNode() || keys.isNull()) {
				return List.of();
			}
			Set<String> inRequest = new HashSet<>(sent);
			if (!keys.isArray()
					|| !keys.valueStream().allMatch((key) -> key.isString() && inRequest.contains(key.asString()))) {
				throw new KvProtocolException(
						"Cloudflare KV answered a bulk %s (%s %s) with unsuccessful_keys that are not keys of the request: %s"
							.formatted(this.operation.label(), this.method, this.path,
									abbreviate(CloudflareKvTarget.this.json.writeValueAsString(keys))));
			}
			return keys.valueStream().map(JsonNode::asString).toList();
		}

	}

	/**
	 * A JSON array built item by item, which knows whether one more item keeps it within
	 * KV's 10,000 items and the request-size limit. An item alone is always sent, even if
	 * it is larger than the limit (a value is at most 25 MiB, under KV's 100 MB).
	 */
	private final class BulkBody {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private final List<String> keys = new ArrayList<>();

		BulkBody() {
			this.bytes.write('[');
		}

		boolean isEmpty() {
			return this.keys.isEmpty();
		}

		boolean fits(byte[] item) {
			// the comma before the item and the closing bracket
			return this.keys.isEmpty() || (this.keys.size() < LIMITS.bulkKeys()
					&& this.bytes.size() + 1L + item.length + 1L <= CloudflareKvTarget.this.maxRequestBytes);
		}

		void add(String key, byte[] item) {
			if (!this.keys.isEmpty()) {
				this.bytes.write(',');
			}
			this.bytes.writeBytes(item);
			this.keys.add(key);
		}

		byte[] close() {
			this.bytes.write(']');
			return this.bytes.toByteArray();
		}

	}

}
