package dev.kvbatch.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.ReadsSaved;
import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PackException;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.Placement;
import dev.kvbatch.pack.RawBytes;
import dev.kvbatch.pack.PackingRules;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * Cloudflare's KV REST routes under
 * {@code /client/v4/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/}, with
 * Cloudflare's envelope, limits, statuses and error codes. Writes are staged through
 * {@link GroupCommit} and answered once durable; reads come from {@link LocalState}. KV
 * metadata is refused with a clear error (kvbatch does not carry it), never dropped.
 */
@RestController
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@RequestMapping(KvRoutes.NAMESPACES)
class KvRoutes {

	static final String NAMESPACES = "/client/v4/accounts/{accountId}/storage/kv/namespaces";

	static final String NAMESPACE = "/{namespaceId}";

	static final int MAX_BULK_ITEMS = 10_000;

	static final long MAX_BULK_BYTES = 100_000_000;

	static final int MAX_BULK_GET_KEYS = 100;

	static final int MAX_METADATA_BYTES = 1024;

	private final ApiStaging staging;

	private final LocalState state;

	private final PackingRules rules;

	private final JsonMapper mapper;

	private final Clock clock;

	private final String accountId;

	private final String namespaceId;

	private final AtomicLong readsServed = new AtomicLong();

	private final ReadsSaved readsSaved;

	private final ReadThrough readThrough;

	KvRoutes(ApiStaging staging, LocalState state, PackingRules rules, JsonMapper mapper, Clock clock,
			ApiProperties properties, Environment environment, ReadsSaved readsSaved, ReadThrough readThrough) {
		this.staging = staging;
		this.readsSaved = readsSaved;
		this.readThrough = readThrough;
		this.state = state;
		this.rules = rules;
		this.mapper = mapper;
		this.clock = clock;
		this.accountId = ApiConfiguration.firstOf(properties.accountId(),
				environment.getProperty("kvbatch.cloudflare.account-id"));
		this.namespaceId = ApiConfiguration.firstOf(properties.namespaceId(),
				environment.getProperty("kvbatch.cloudflare.namespace-id"));
	}

	/**
	 * Reads answered from the local state instead of KV, since start (found, or known to
	 * be deleted).
	 */
	long readsServed() {
		return this.readsServed.get();
	}

	@GetMapping
	Map<String, @Nullable Object> namespaces(@PathVariable String accountId) {
		checkAccount(accountId);
		Map<String, Object> namespace = new LinkedHashMap<>();
		namespace.put("id", this.namespaceId);
		namespace.put("title", "kvbatch");
		namespace.put("supports_url_encoding", true);
		return Envelope.ok(List.of(namespace), Map.of("page", 1, "per_page", 20, "count", 1, "total_count", 1));
	}

	@PutMapping(NAMESPACE + "/values/**")
	Map<String, @Nullable Object> put(@PathVariable String accountId, @PathVariable String namespaceId,
			HttpServletRequest request, @RequestParam(required = false) @Nullable String expiration,
			@RequestParam(name = "expiration_ttl", required = false) @Nullable String expirationTtl,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey)
			throws IOException, ServletException {
		checkNamespace(accountId, namespaceId);
		String key = key(request, "/values/");
		byte[] value;
		String contentType = request.getContentType();
		if (contentType != null && contentType.toLowerCase().startsWith(MediaType.MULTIPART_FORM_DATA_VALUE)) {
			Part metadata = request.getPart("metadata");
			if (metadata != null) {
				refuseMetadata(readAll(metadata.getInputStream(), MAX_METADATA_BYTES, "metadata"), key);
			}
			Part part = request.getPart("value");
			if (part == null) {
				throw ApiException.invalid("a multipart write needs a \"value\" part");
			}
			value = readAll(part.getInputStream(), KvLimits.MAX_VALUE_BYTES, "value");
		}
		else {
			value = readAll(request.getInputStream(), KvLimits.MAX_VALUE_BYTES, "value");
		}
		Long expiresAt = expiresAt(number(expiration, "expiration"), number(expirationTtl, "expiration_ttl"));
		ObjectNode line = putLine(key, value, expiresAt, idempotencyKey);
		stageOne("PUT values/" + key, line, key, idempotencyKey != null);
		return Envelope.ok(Map.of());
	}

	@DeleteMapping(NAMESPACE + "/values/**")
	Map<String, @Nullable Object> delete(@PathVariable String accountId, @PathVariable String namespaceId,
			HttpServletRequest request,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
		checkNamespace(accountId, namespaceId);
		String key = key(request, "/values/");
		stageOne("DELETE values/" + key, deleteLine(key, idempotencyKey), key, idempotencyKey != null);
		return Envelope.ok(Map.of());
	}

	@PutMapping(NAMESPACE + "/bulk")
	Map<String, @Nullable Object> bulkPut(@PathVariable String accountId, @PathVariable String namespaceId,
			HttpServletRequest request,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey)
			throws IOException {
		checkNamespace(accountId, namespaceId);
		JsonNode items = bulkBody(request);
		List<GroupCommit.Line> lines = new ArrayList<>();
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < items.size(); i++) {
			JsonNode item = items.get(i);
			String where = "item " + i;
			if (!item.isObject()) {
				throw ApiException.invalid(where + ": must be an object {key, value, ...}");
			}
			String key = keyOf(item.get("key"), where);
			where += " (key \"" + key + "\")";
			JsonNode metadata = item.get("metadata");
			if (metadata != null && !metadata.isNull()) {
				refuseMetadata(this.mapper.writeValueAsBytes(metadata), key);
			}
			JsonNode raw = item.get("value");
			if (raw == null || !raw.isString()) {
				throw ApiException.invalid(where + ": value must be a string");
			}
			byte[] bytes;
			JsonNode base64 = item.get("base64");
			if (base64 != null && base64.asBoolean(false)) {
				try {
					bytes = Base64.getDecoder().decode(raw.asString());
				}
				catch (IllegalArgumentException ex) {
					throw ApiException.invalid(where + ": base64 is true but value is not base64");
				}
			}
			else {
				bytes = raw.asString().getBytes(StandardCharsets.UTF_8);
			}
			if (bytes.length > KvLimits.MAX_VALUE_BYTES) {
				throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiException.VALIDATION,
						where + ": value is larger than 25 MiB");
			}
			Long expiresAt = expiresAt(longOf(item.get("expiration"), where + ": expiration"),
					longOf(item.get("expiration_ttl"), where + ": expiration_ttl"));
			String id = (idempotencyKey != null) ? idempotencyKey + "#" + i : null;
			lines.add(line(putLine(key, bytes, expiresAt, id), key, id != null));
			keys.add(key);
		}
		return Envelope.ok(bulkResult(keys, stage("PUT bulk", lines)));
	}

	@PostMapping(NAMESPACE + "/bulk/delete")
	Map<String, @Nullable Object> bulkDelete(@PathVariable String accountId, @PathVariable String namespaceId,
			HttpServletRequest request,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey)
			throws IOException {
		checkNamespace(accountId, namespaceId);
		JsonNode items = bulkBody(request);
		List<GroupCommit.Line> lines = new ArrayList<>();
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < items.size(); i++) {
			String key = keyOf(items.get(i), "item " + i);
			String id = (idempotencyKey != null) ? idempotencyKey + "#" + i : null;
			lines.add(line(deleteLine(key, id), key, id != null));
			keys.add(key);
		}
		return Envelope.ok(bulkResult(keys, stage("POST bulk/delete", lines)));
	}

	@GetMapping(NAMESPACE + "/values/**")
	ResponseEntity<byte[]> get(@PathVariable String accountId, @PathVariable String namespaceId,
			HttpServletRequest request) throws IOException {
		checkNamespace(accountId, namespaceId);
		String key = key(request, "/values/");
		PendingSpool.State found = live(key);
		if (found == null) {
			KvTarget.StoredValue stored = this.readThrough.get(key).orElseThrow(ApiException::notFound);
			found = PendingSpool.State.of(stored);
		}
		ResponseEntity.BodyBuilder answer = ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM);
		if (found.expiresAt() != null) {
			answer.header("expiration", String.valueOf(found.expiresAt()));
		}
		return answer.body(found.bytes());
	}

	@GetMapping(NAMESPACE + "/metadata/**")
	Map<String, @Nullable Object> metadata(@PathVariable String accountId, @PathVariable String namespaceId,
			HttpServletRequest request) throws IOException {
		checkNamespace(accountId, namespaceId);
		String key = key(request, "/metadata/");
		if (live(key) == null) {
			throw this.readThrough.noMetadata(key);
		}
		// kvbatch refuses writes with metadata, so every key it holds has none.
		return Envelope.ok(null);
	}

	@PostMapping(NAMESPACE + "/bulk/get")
	Map<String, @Nullable Object> bulkGet(@PathVariable String accountId, @PathVariable String namespaceId,
			HttpServletRequest request) throws IOException {
		checkNamespace(accountId, namespaceId);
		JsonNode body = parse(readAll(request.getInputStream(), MAX_BULK_BYTES, "request"));
		JsonNode keys = body.get("keys");
		if (keys == null || !keys.isArray() || keys.isEmpty()) {
			throw ApiException.invalid("keys must be a non-empty array of key names");
		}
		if (keys.size() > MAX_BULK_GET_KEYS) {
			throw ApiException.invalid("at most " + MAX_BULK_GET_KEYS + " keys per bulk get, got " + keys.size());
		}
		String type = (body.get("type") != null) ? body.get("type").asString() : "text";
		if (!type.equals("text") && !type.equals("json")) {
			throw ApiException.invalid("type must be \"text\" or \"json\", got \"" + type + "\"");
		}
		boolean withMetadata = body.get("withMetadata") != null && body.get("withMetadata").asBoolean(false);
		Map<String, PendingSpool.@Nullable State> states = new LinkedHashMap<>();
		List<String> unseen = new ArrayList<>();
		for (int i = 0; i < keys.size(); i++) {
			String key = keyOf(keys.get(i), "keys[" + i + "]");
			PendingSpool.State found = this.state.read(key);
			if (found != null) {
				saved(1);
			}
			else if (!states.containsKey(key)) {
				unseen.add(key);
			}
			states.put(key, found);
		}
		if (this.readThrough.enabled() && !unseen.isEmpty()) {
			if (withMetadata) {
				throw this.readThrough.noMetadata(unseen.get(0));
			}
			this.readThrough.bulkGet(unseen).forEach((key, stored) -> states.put(key, PendingSpool.State.of(stored)));
		}
		Map<String, @Nullable Object> values = new LinkedHashMap<>();
		for (Map.Entry<String, PendingSpool.@Nullable State> asked : states.entrySet()) {
			String key = asked.getKey();
			PendingSpool.State found = asked.getValue();
			if (found == null || found.deleted()) {
				values.put(key, null);
				continue;
			}
			String text = found.base64() ? RawBytes.utf8(found.bytes()) : found.value();
			if (text == null) {
				throw ApiException.invalid("key \"" + key + "\" holds a binary value (bytes that are not UTF-8 text); "
						+ "bulk get answers keys with text-based values only, as Cloudflare's does: read it with "
						+ "GET values/{key}");
			}
			Object value = type.equals("json") ? parse(text.getBytes(StandardCharsets.UTF_8)) : text;
			if (withMetadata) {
				Map<String, @Nullable Object> entry = new LinkedHashMap<>();
				entry.put("value", value);
				entry.put("metadata", null);
				if (found.expiresAt() != null) {
					entry.put("expiration", found.expiresAt());
				}
				values.put(key, entry);
			}
			else {
				values.put(key, value);
			}
		}
		return Envelope.ok(Map.of("values", values));
	}

	@GetMapping(NAMESPACE + "/keys")
	Map<String, @Nullable Object> keys(@PathVariable String accountId, @PathVariable String namespaceId,
			@RequestParam(defaultValue = "") String prefix, @RequestParam(required = false) @Nullable String limit,
			@RequestParam(defaultValue = "") String cursor) {
		checkNamespace(accountId, namespaceId);
		Long asked = number(limit, "limit");
		int size = (asked != null) ? (int) (long) asked : 1000;
		if (size < 10 || size > 1000) {
			throw ApiException.invalid("limit must be between 10 and 1000, got " + size);
		}
		String after;
		try {
			after = cursor.isEmpty() ? "" : new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.invalid("cursor is not one kvbatch gave");
		}
		Map<String, @Nullable Long> page = this.state.list(prefix, after, size);
		List<Map<String, Object>> result = new ArrayList<>();
		String last = "";
		for (Map.Entry<String, @Nullable Long> entry : page.entrySet()) {
			Map<String, Object> item = new LinkedHashMap<>();
			item.put("name", entry.getKey());
			if (entry.getValue() != null) {
				item.put("expiration", entry.getValue());
			}
			result.add(item);
			last = entry.getKey();
		}
		String next = (page.size() == size)
				? Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)) : "";
		return Envelope.ok(result, Map.of("count", result.size(), "cursor", next));
	}

	/**
	 * A live key's state, Cloudflare's 404 for a key kvbatch knows is deleted (or one it
	 * has never seen, without read-through), or {@code null} for a key kvbatch has never
	 * seen when reads go through to KV. Counts the read as one KV did not serve when
	 * kvbatch knows the key (live, or deleted: either way KV was not asked).
	 */
	private PendingSpool.@Nullable State live(String key) throws IOException {
		PendingSpool.State found = this.state.read(key);
		if (found != null) {
			saved(1);
		}
		else if (this.readThrough.enabled()) {
			return null;
		}
		if (found == null || found.deleted()) {
			throw ApiException.notFound();
		}
		return found;
	}

	/** Counts reads answered locally: for the metric, and per day for the report. */
	private void saved(long reads) {
		this.readsServed.addAndGet(reads);
		this.readsSaved.count(reads);
	}

	private void stageOne(String what, ObjectNode json, String key, boolean id) {
		GroupCommit.Outcome outcome = stage(what, List.of(line(json, key, id))).get(0);
		if (outcome.rejected()) {
			throw ApiException.invalid(key + ": " + outcome.reason());
		}
	}

	private List<GroupCommit.Outcome> stage(String what, List<GroupCommit.Line> lines) {
		return this.staging.stage(what, lines);
	}

	private static Map<String, Object> bulkResult(List<String> keys, List<GroupCommit.Outcome> outcomes) {
		List<String> unsuccessful = new ArrayList<>();
		for (int i = 0; i < outcomes.size(); i++) {
			if (outcomes.get(i).rejected()) {
				unsuccessful.add(keys.get(i));
			}
		}
		return Map.of("successful_key_count", keys.size() - unsuccessful.size(), "unsuccessful_keys", unsuccessful);
	}

	private static GroupCommit.Line line(ObjectNode json, String key, boolean id) {
		return new GroupCommit.Line(json.toString(), key, key.contains("{seq}"), id);
	}

	/**
	 * The staging line of a put of {@code value}, the bytes the app sent: JSON as it is,
	 * or raw bytes (see {@link #isRaw}).
	 */
	private ObjectNode putLine(String key, byte[] value, @Nullable Long expiresAt, @Nullable String id) {
		ObjectNode line = this.mapper.createObjectNode();
		line.put("op", "put");
		line.put("key", key);
		JsonNode json = isRaw(key, value);
		if (json == null) {
			line.put("value", RawBytes.base64(value));
			line.put("base64", true);
		}
		else {
			line.set("value", json);
		}
		if (expiresAt != null) {
			line.put("expiration", expiresAt);
		}
		if (id != null) {
			line.put("id", id);
		}
		return line;
	}

	private ObjectNode deleteLine(String key, @Nullable String id) {
		ObjectNode line = this.mapper.createObjectNode();
		line.put("op", "delete");
		line.put("key", key);
		if (id != null) {
			line.put("id", id);
		}
		return line;
	}

	/**
	 * The JSON to stage for {@code value}, or {@code null} to stage its bytes raw. A
	 * direct key's value reaches KV byte for byte: as JSON when the bytes are compact
	 * JSON (the JSON text kvbatch writes is then the same bytes), raw otherwise (text
	 * that is not JSON, JSON with spaces, binary). A packed key's value is JSON as it is,
	 * or text that is not JSON as a JSON string; the counter's is JSON.
	 */
	private @Nullable JsonNode isRaw(String key, byte[] value) {
		PackKind kind;
		String rule;
		try {
			Placement placement = this.rules.place(key, this.clock.instant());
			kind = placement.kind();
			rule = placement.rule();
		}
		catch (PackException ex) {
			// No rule places the key: staging refuses it, with the rules' reason.
			kind = PackKind.MAP;
			rule = null;
		}
		String text = RawBytes.utf8(value);
		JsonNode node = (text != null) ? json(text) : null;
		if (kind == PackKind.DIRECT) {
			return (node != null && node.toString().equals(text)) ? node : null;
		}
		if (text == null) {
			throw ApiException.invalid("the value of key \""
					+ key + "\" is not UTF-8 text; the key is packed" + ((rule != null)
							? " by rule " + rule + " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ")" : "")
					+ ", whose values are JSON, so only a direct key takes binary values");
		}
		return (node != null) ? node : valueOf(key, text, kind);
	}

	private @Nullable JsonNode json(String text) {
		try {
			JsonNode node = this.mapper.readTree(text);
			return (node != null && !node.isMissingNode()) ? node : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/** Text that is not JSON: a JSON string for a packed key; refused for the counter. */
	private JsonNode valueOf(String key, String text, PackKind kind) {
		if (kind == PackKind.DIRECT || kind == PackKind.COUNTER) {
			throw ApiException.invalid("key \"" + key + "\" is a " + kind.name().toLowerCase()
					+ " key, whose value kvbatch writes to KV as JSON; this value is not JSON, and would not read back "
					+ "as sent (send it as JSON, e.g. a JSON string)");
		}
		return this.mapper.getNodeFactory().stringNode(text);
	}

	private void refuseMetadata(byte[] metadata, String key) {
		if (metadata.length > MAX_METADATA_BYTES) {
			throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiException.VALIDATION,
					"metadata of key \"" + key + "\" is larger than 1024 bytes");
		}
		String text = new String(metadata, StandardCharsets.UTF_8).strip();
		if (!text.isEmpty() && !text.equals("null")) {
			throw ApiException.invalid("key \"" + key + "\": kvbatch does not carry KV metadata; "
					+ "send the write without metadata (put what it holds into the value); nothing was staged");
		}
	}

	private @Nullable Long expiresAt(@Nullable Long expiration, @Nullable Long ttl) {
		long now = this.clock.instant().getEpochSecond();
		if (ttl != null) {
			if (ttl < KvLimits.MIN_TTL_SECONDS) {
				throw ApiException.invalid("Invalid expiration_ttl of " + ttl + ". Expiration TTL must be at least "
						+ KvLimits.MIN_TTL_SECONDS + ".");
			}
			return now + ttl;
		}
		if (expiration != null) {
			if (expiration < now + KvLimits.MIN_TTL_SECONDS) {
				throw ApiException
					.invalid("Invalid expiration of " + expiration + ". Expiration times must be at least "
							+ KvLimits.MIN_TTL_SECONDS + " seconds in the future.");
			}
			return expiration;
		}
		return null;
	}

	private static @Nullable Long number(@Nullable String text, String name) {
		if (text == null || text.isEmpty()) {
			return null;
		}
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			throw ApiException.invalid(name + " must be a whole number, got \"" + text + "\"");
		}
	}

	private static @Nullable Long longOf(@Nullable JsonNode node, String where) {
		if (node == null || node.isNull()) {
			return null;
		}
		if (!node.isIntegralNumber() && !(node.isNumber() && node.asDouble() == Math.rint(node.asDouble()))) {
			throw ApiException.invalid(where + " must be a whole number");
		}
		return node.asLong();
	}

	private JsonNode bulkBody(HttpServletRequest request) throws IOException {
		JsonNode items = parse(readAll(request.getInputStream(), MAX_BULK_BYTES, "request"));
		if (!(items instanceof ArrayNode)) {
			throw ApiException.invalid("the body must be a JSON array");
		}
		if (items.size() > MAX_BULK_ITEMS) {
			throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiException.VALIDATION,
					"at most " + MAX_BULK_ITEMS + " items per bulk request, got " + items.size());
		}
		return items;
	}

	private JsonNode parse(byte[] body) {
		try {
			return this.mapper.readTree(body);
		}
		catch (JacksonException ex) {
			throw ApiException.invalid("the body is not JSON: " + ex.getOriginalMessage());
		}
	}

	private static String keyOf(@Nullable JsonNode node, String where) {
		if (node == null || !node.isString()) {
			throw ApiException.invalid(where + ": key must be a string");
		}
		return checkedKey(node.asString());
	}

	/** The key after {@code /values/} in the raw path, percent-decoded. */
	private static String key(HttpServletRequest request, String segment) {
		String uri = request.getRequestURI();
		int at = uri.indexOf(segment);
		return checkedKey(UriUtils.decode(uri.substring(at + segment.length()), StandardCharsets.UTF_8));
	}

	private static String checkedKey(String key) {
		if (key.isEmpty()) {
			throw ApiException.invalid("the key name is empty");
		}
		if (key.equals(".") || key.equals("..")) {
			throw ApiException.invalid("Illegal key name \"" + key + "\". Please use a different name.");
		}
		int bytes = key.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > KvLimits.MAX_KEY_BYTES) {
			throw new ApiException(HttpStatus.URI_TOO_LONG, ApiException.VALIDATION, "UTF-8 encoded length of " + bytes
					+ " exceeds key length limit of " + KvLimits.MAX_KEY_BYTES + ".");
		}
		return key;
	}

	private static byte[] readAll(InputStream in, long max, String what) throws IOException {
		byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
		if (bytes.length > max) {
			throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiException.VALIDATION,
					"the " + what + " is larger than " + max + " bytes");
		}
		return bytes;
	}

	private void checkAccount(String accountId) {
		if (!this.accountId.equals(accountId)) {
			throw namespaceNotFound();
		}
	}

	private void checkNamespace(String accountId, String namespaceId) {
		checkAccount(accountId);
		if (!this.namespaceId.equals(namespaceId)) {
			throw namespaceNotFound();
		}
	}

	private static ApiException namespaceNotFound() {
		return new ApiException(HttpStatus.NOT_FOUND, ApiException.NAMESPACE_NOT_FOUND, "namespace not found");
	}

	static HttpHeaders retryAfter(long seconds) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
		return headers;
	}

}
