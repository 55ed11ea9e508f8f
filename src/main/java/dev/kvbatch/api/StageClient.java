package dev.kvbatch.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code kvbatch stage --url}: sends staging input to a {@code kvbatch serve}'s
 * {@code POST /v1/stage} instead of the local spool folder, a part of at most
 * {@link #PART_LINES} lines or {@link #PART_BYTES} bytes at a time, and reports what the
 * server says as a local stage run would. Not thread-safe.
 */
public final class StageClient {

	static final int PART_LINES = 10_000;

	static final long PART_BYTES = 50_000_000;

	private final URI endpoint;

	private final @Nullable String token;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final JsonMapper mapper = JsonMapper.builder().build();

	/**
	 * @param baseUrl the server, e.g. {@code http://kvbatch:8080}
	 * @param token its bearer token, or {@code null}
	 */
	public StageClient(String baseUrl, @Nullable String token) {
		this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + StageRoute.PATH);
		this.token = token;
	}

	/**
	 * Stage one input through the server.
	 * @param source names the input in rejections
	 * @param in the JSON Lines, read to the end and not closed
	 * @param keys receives {@code a{seq} -> a07} per staged {@code {seq}} record, and
	 * {@code ... (already staged)} per retry
	 * @param rejections receives {@code source:line: field f: reason} per rejected line
	 * @return staged, rejected and duplicate counts
	 * @throws IOException if the input cannot be read or the server cannot be reached or
	 * refuses the request; parts sent before are staged
	 */
	public long[] stage(String source, InputStream in, Consumer<String> keys, Consumer<String> rejections)
			throws IOException {
		long[] counts = new long[3];
		BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
		StringBuilder part = new StringBuilder();
		long partStart = 1;
		long lines = 0;
		String line;
		while ((line = reader.readLine()) != null) {
			part.append(line).append('\n');
			lines++;
			if (lines - partStart + 1 >= PART_LINES || part.length() >= PART_BYTES) {
				send(source, part, partStart - 1, counts, keys, rejections);
				part.setLength(0);
				partStart = lines + 1;
			}
		}
		if (part.length() > 0) {
			send(source, part, partStart - 1, counts, keys, rejections);
		}
		return counts;
	}

	private void send(String source, StringBuilder part, long offset, long[] counts, Consumer<String> keys,
			Consumer<String> rejections) throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(this.endpoint)
			.timeout(Duration.ofMinutes(5))
			.header("Content-Type", "application/x-ndjson")
			.POST(HttpRequest.BodyPublishers.ofString(part.toString(), StandardCharsets.UTF_8));
		if (this.token != null && !this.token.isBlank()) {
			request.header("Authorization", "Bearer " + this.token.strip());
		}
		HttpResponse<String> response;
		try {
			response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while staging through " + this.endpoint, ex);
		}
		JsonNode body;
		try {
			body = this.mapper.readTree(response.body());
		}
		catch (RuntimeException ex) {
			body = null;
		}
		if (response.statusCode() != 200 || body == null || body.get("lines") == null) {
			String reason = (body != null && body.get("errors") != null && !body.get("errors").isEmpty())
					? body.get("errors").get(0).get("message").asString() : "HTTP " + response.statusCode();
			throw new IOException(this.endpoint + " refused the staging request: " + reason);
		}
		counts[0] += body.get("staged").asLong();
		counts[1] += body.get("rejected").asLong();
		counts[2] += body.get("duplicates").asLong();
		for (JsonNode result : body.get("lines")) {
			long number = offset + result.get("line").asLong();
			String status = result.get("status").asString();
			if (status.equals("rejected")) {
				JsonNode field = result.get("field");
				rejections.accept(source + ":" + number + ": "
						+ ((field != null && !field.isNull()) ? "field " + field.asString() + ": " : "")
						+ result.get("reason").asString());
			}
			else if (result.get("written") != null) {
				keys.accept(result.get("written").asString() + " -> " + result.get("key").asString()
						+ (status.equals("duplicate") ? " (already staged)" : ""));
			}
			else if (status.equals("duplicate")) {
				keys.accept(result.get("key").asString() + " -> " + result.get("key").asString() + " (already staged)");
			}
		}
	}

}
