package dev.kvbatch.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.util.UriUtils;

/**
 * The conformance suite's own view of a KV namespace, through the REST API and nothing of
 * kvbatch: it seeds keys an app wrote before kvbatch and reads back what the namespace
 * holds, so a test compares what kvbatch sent with what KV stored.
 */
final class KvNamespaceClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final String namespaceUrl;

	private final String token;

	/**
	 * @param namespaceUrl the namespace's API URL, without a trailing slash
	 * @param token the bearer token
	 */
	KvNamespaceClient(String namespaceUrl, String token) {
		this.namespaceUrl = namespaceUrl;
		this.token = token;
	}

	/**
	 * Writes keys as an app would, 1000 a request; a {@code null} expiration never
	 * expires.
	 */
	void seed(Map<String, String> values, Map<String, Long> expirations) {
		List<Map<String, Object>> pairs = new ArrayList<>();
		values.forEach((key, value) -> {
			Map<String, Object> pair = new LinkedHashMap<>();
			pair.put("key", key);
			pair.put("value", value);
			if (expirations.get(key) != null) {
				pair.put("expiration", expirations.get(key));
			}
			pairs.add(pair);
		});
		for (int from = 0; from < pairs.size(); from += 1000) {
			envelope("PUT", "/bulk", JSON.writeValueAsBytes(pairs.subList(from, Math.min(pairs.size(), from + 1000))));
		}
	}

	/** Deletes every key, so that a test starts from an empty namespace. */
	void clear() {
		List<String> keys = new ArrayList<>(list("").keySet());
		for (int from = 0; from < keys.size(); from += 1000) {
			envelope("POST", "/bulk/delete",
					JSON.writeValueAsBytes(keys.subList(from, Math.min(keys.size(), from + 1000))));
		}
	}

	/**
	 * Every live key with a prefix and its expiration (or {@code null}), in KV's order.
	 */
	Map<String, @Nullable Long> list(String prefix) {
		Map<String, @Nullable Long> keys = new LinkedHashMap<>();
		String cursor = "";
		do {
			String query = "/keys?limit=1000" + (prefix.isEmpty() ? "" : "&prefix=" + encode(prefix))
					+ (cursor.isEmpty() ? "" : "&cursor=" + encode(cursor));
			JsonNode page = envelope("GET", query, null);
			for (JsonNode key : page.path("result").values()) {
				JsonNode expiration = key.path("expiration");
				keys.put(key.path("name").asString(), expiration.isNumber() ? expiration.asLong() : null);
			}
			cursor = page.path("result_info").path("cursor").asString("");
		}
		while (!cursor.isEmpty());
		return keys;
	}

	/**
	 * What the namespace holds, as {@code kv list --json} prints it: one line per key
	 * with its value (read alone, {@code GET /values/{key}}) and its listed expiration.
	 */
	String asJsonLines() {
		StringBuilder lines = new StringBuilder();
		list("").forEach((key, expiration) -> {
			Map<String, Object> line = new LinkedHashMap<>();
			line.put("key", key);
			line.put("value", value(key));
			line.put("expiration", expiration);
			lines.append(JSON.writeValueAsString(line)).append('\n');
		});
		return lines.toString();
	}

	/** A key's value as stored, or {@code null} if KV holds none. */
	@Nullable String value(String key) {
		HttpResponse<byte[]> response = send("GET", "/values/" + encode(key), null);
		if (response.statusCode() == 404) {
			return null;
		}
		check(response);
		return new String(response.body(), StandardCharsets.UTF_8);
	}

	/** Sends a request and returns the answer as it came. */
	HttpResponse<byte[]> send(String method, String path, byte @Nullable [] body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.namespaceUrl + path))
			.timeout(Duration.ofMinutes(2))
			.header("Authorization", "Bearer " + this.token)
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofByteArray(body)
					: HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw new IllegalStateException(method + " " + path + ": " + ex, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private JsonNode envelope(String method, String path, byte @Nullable [] body) {
		HttpResponse<byte[]> response = send(method, path, body);
		check(response);
		JsonNode envelope = JSON.readTree(response.body());
		if (!envelope.path("success").asBoolean(false)) {
			throw new IllegalStateException(method + " " + path + " answered " + envelope);
		}
		return envelope;
	}

	private static void check(HttpResponse<byte[]> response) {
		if (response.statusCode() / 100 != 2) {
			throw new IllegalStateException(response.request().method() + " " + response.request().uri() + ": HTTP "
					+ response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8));
		}
	}

	private static String encode(String text) {
		return UriUtils.encode(text, StandardCharsets.UTF_8);
	}

}
