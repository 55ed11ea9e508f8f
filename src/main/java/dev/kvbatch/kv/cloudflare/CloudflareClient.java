package dev.kvbatch.kv.cloudflare;

import dev.kvbatch.kv.KvAuthException;
import dev.kvbatch.kv.KvQuotaExceededException;
import dev.kvbatch.kv.KvRejectedException;
import dev.kvbatch.kv.KvTargetException;
import dev.kvbatch.kv.KvUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.kvbatch.SecretScrubber;
import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.util.StringUtils;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriUtils;

/**
 * Sends one request to a KV namespace's REST API and turns every way it can fail into a
 * {@link KvTargetException}: the only class that knows HTTP statuses and Cloudflare's
 * response envelope.
 *
 * <ul>
 * <li>Every request waits for a permit of the {@link RequestRateLimiter}.</li>
 * <li>HTTP 429 with {@code Retry-After}: waits that long and sends again.</li>
 * <li>HTTP 5xx, 429 without {@code Retry-After}, timeouts, unreadable answers: retried by
 * a {@link RetryTemplate} with capped exponential back-off and jitter, then
 * {@link KvUnavailableException}.</li>
 * <li>Error 10048, or 429 saying the daily free limit is reached:
 * {@link KvQuotaExceededException}.</li>
 * <li>HTTP 401/403: {@link KvAuthException} naming the permission the token needs.</li>
 * <li>Any other refusal: {@link KvRejectedException}.</li>
 * </ul>
 * The API token is sent in the {@code Authorization} header only; messages this class
 * builds never contain it, and text the server sends back is scrubbed of it. Thread-safe.
 */
final class CloudflareClient {

	private static final Logger log = LoggerFactory.getLogger(CloudflareClient.class);

	/** "your account has reached the free usage limit for this operation for today". */
	static final int QUOTA_EXCEEDED = 10048;

	/** The namespace does not exist (or the account cannot see it). */
	static final int NAMESPACE_NOT_FOUND = 10013;

	private static final Pattern DAILY_LIMIT = Pattern
		.compile("(?i)free usage limit|limit exceeded for the day|daily limit|for today");

	private final RestClient rest;

	private final String namespaceUrl;

	private final @Nullable String accountId;

	private final String token;

	private final JsonMapper json;

	private final RequestRateLimiter limiter;

	private final Sleeper sleeper;

	private final Clock clock;

	private final RetryTemplate retry;

	private final int maxWaits;

	private final Duration maxRetryAfter;

	CloudflareClient(RestClient rest, CloudflareProperties properties, JsonMapper json, Clock clock, Sleeper sleeper) {
		this.rest = rest;
		this.accountId = properties.accountId();
		this.token = String.valueOf(properties.apiToken());
		this.namespaceUrl = namespaceUrl(properties);
		this.json = json;
		this.limiter = new RequestRateLimiter(properties.rateLimit(), properties.rateWindow(), clock, sleeper);
		this.sleeper = sleeper;
		this.clock = clock;
		this.retry = retryTemplate(properties, sleeper);
		this.maxWaits = properties.maxRetries();
		this.maxRetryAfter = properties.maxRetryAfter();
	}

	private static RetryTemplate retryTemplate(CloudflareProperties properties, Sleeper sleeper) {
		long delay = Math.max(1, properties.retryDelay().toMillis());
		ExponentialBackOff backOff = new ExponentialBackOff(delay, 2.0);
		backOff.setJitter(delay / 2);
		backOff.setMaxInterval(Math.max(delay, properties.maxRetryDelay().toMillis()));
		backOff.setMaxAttempts(properties.maxRetries());
		RetryTemplate template = new RetryTemplate(RetryPolicy.builder()
			.backOff(new SleepingBackOff(backOff, sleeper))
			.predicate(KvUnavailableException.class::isInstance)
			.build());
		template.setRetryListener(new RetryListener() {

			@Override
			public void onRetryableExecution(RetryPolicy policy, Retryable<?> retryable, RetryState state) {
				if (!state.isSuccessful() && state.getLastException() instanceof KvUnavailableException failure) {
					log.warn("Cloudflare KV {}: {} (attempt {})", retryable.getName(), failure.getMessage(),
							state.getRetryCount() + 1);
				}
			}

		});
		return template;
	}

	/**
	 * {@code namespace-url} as given, or Cloudflare's layout:
	 * {@code <base-url>/accounts/<account>/storage/kv/namespaces/<namespace>}.
	 */
	static String namespaceUrl(CloudflareProperties properties) {
		if (properties.namespaceUrl() != null) {
			return properties.namespaceUrl().toString().replaceAll("/+$", "");
		}
		return properties.baseUrl().toString().replaceAll("/+$", "") + "/accounts/"
				+ encode(String.valueOf(properties.accountId())) + "/storage/kv/namespaces/"
				+ encode(String.valueOf(properties.namespaceId()));
	}

	/** Strict percent-encoding: everything but RFC 3986's unreserved characters. */
	static String encode(String text) {
		return UriUtils.encode(text, StandardCharsets.UTF_8);
	}

	/**
	 * Sends a request that answers with Cloudflare's JSON envelope and returns its
	 * {@code result} once {@code success} is true.
	 * @param operation the kind of KV operation, for the errors and the permission
	 * @param method the HTTP method
	 * @param path below the namespace, already encoded, with its query
	 * @param body a JSON body, or {@code null}
	 * @return the envelope's {@code result} and {@code result_info}
	 */
	Envelope call(Operation operation, HttpMethod method, String path, byte @Nullable [] body) {
		JsonNode envelope = Objects.requireNonNull(send(operation, method, path, body, false).envelope());
		return new Envelope(envelope.path("result"), envelope.path("result_info"));
	}

	/**
	 * Reads a key's raw value: {@code null} if KV has no such key (HTTP 404), otherwise
	 * the bytes and headers.
	 */
	@Nullable Reply getRaw(Operation operation, String path) {
		Reply reply = send(operation, HttpMethod.GET, path, null, true);
		return (reply.status() == 404) ? null : reply;
	}

	private Reply send(Operation operation, HttpMethod method, String path, byte @Nullable [] body, boolean raw) {
		URI uri = URI.create(this.namespaceUrl + path);
		String name = operation.label() + " (" + method + " " + path.replaceAll("\\?.*", "") + ")";
		try {
			return this.retry.execute(new Retryable<Reply>() {

				@Override
				public Reply execute() {
					return attempt(operation, method, uri, body, raw);
				}

				@Override
				public String getName() {
					return name;
				}

			});
		}
		catch (RetryException ex) {
			Throwable last = ex.getCause();
			if (last instanceof KvUnavailableException) {
				throw new KvUnavailableException("Cloudflare KV %s failed %d times, giving up for now: %s"
					.formatted(name, ex.getRetryCount() + 1, last.getMessage()), last);
			}
			if (last instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new KvUnavailableException("Cloudflare KV " + name + " failed: " + last, last);
		}
	}

	/**
	 * One attempt, as the retry template sees it; rate-limit waits the server asks for
	 * happen inside it, so they do not use up retries.
	 */
	private Reply attempt(Operation operation, HttpMethod method, URI uri, byte @Nullable [] body, boolean raw) {
		for (int waits = 0;; waits++) {
			acquirePermit();
			Reply reply = exchange(method, uri, body);
			if (reply.status() == 429 && !quotaExceeded(reply.status(), errors(reply))) {
				Duration retryAfter = retryAfter(reply.headers());
				if (retryAfter != null && waits < this.maxWaits && retryAfter.compareTo(this.maxRetryAfter) <= 0) {
					log.warn("Cloudflare KV rate limit reached (HTTP 429); waiting {} s as asked",
							retryAfter.toSeconds());
					pause(retryAfter);
					continue;
				}
			}
			return check(operation, reply, raw);
		}
	}

	private Reply exchange(HttpMethod method, URI uri, byte @Nullable [] body) {
		try {
			RestClient.RequestBodySpec request = this.rest.method(method)
				.uri(uri)
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.token);
			if (body != null) {
				request.contentType(MediaType.APPLICATION_JSON).body(body);
			}
			return request.exchange((req, response) -> new Reply(response.getStatusCode().value(),
					response.getHeaders(), readAll(response.getBody()), null), true);
		}
		catch (ResourceAccessException ex) {
			Throwable root = ex;
			while (root.getCause() != null) {
				root = root.getCause();
			}
			throw new KvUnavailableException("no answer (" + scrub(
					root.getClass().getSimpleName() + ((root.getMessage() != null) ? ": " + root.getMessage() : ""))
					+ ")", ex);
		}
	}

	private static byte[] readAll(java.io.InputStream body) throws IOException {
		try (body) {
			return body.readAllBytes();
		}
	}

	private Reply check(Operation operation, Reply reply, boolean raw) {
		int status = reply.status();
		List<ApiError> errors = errors(reply);
		if (quotaExceeded(status, errors)) {
			throw quotaExceeded(operation, errors);
		}
		if (status == 401 || status == 403) {
			throw new KvAuthException(
					"Cloudflare refused the API token for a KV %s (HTTP %d%s): it needs the \"%s\" permission%s"
						.formatted(operation.label(), status, describe(errors), permission(operation),
								StringUtils.hasText(this.accountId) ? " on account " + this.accountId : ""));
		}
		if (status == 404 && raw && errors.stream().noneMatch((error) -> error.code() == NAMESPACE_NOT_FOUND)) {
			return reply;
		}
		if (status == 408 || status == 429 || status >= 500) {
			throw new KvUnavailableException("HTTP " + status + describe(errors));
		}
		if (status < 200 || status >= 300) {
			JsonNode envelope = parse(reply.body());
			throw new Refusal(
					"Cloudflare KV refused the %s: HTTP %d%s".formatted(operation.label(), status, describe(errors)),
					status, errors.stream().map(ApiError::code).toList(),
					(envelope != null) ? envelope.path("result") : null);
		}
		if (raw) {
			return reply;
		}
		JsonNode envelope = parse(reply.body());
		if (envelope == null || !envelope.isObject()) {
			throw new KvUnavailableException("HTTP " + status + " without a JSON envelope");
		}
		if (!envelope.path("success").asBoolean(false)) {
			List<ApiError> failures = errors(envelope);
			if (quotaExceeded(status, failures)) {
				throw quotaExceeded(operation, failures);
			}
			throw new Refusal(
					"Cloudflare KV refused the %s: success=false%s".formatted(operation.label(), describe(failures)),
					status, failures.stream().map(ApiError::code).toList(), envelope.path("result"));
		}
		return new Reply(status, reply.headers(), reply.body(), envelope);
	}

	private static KvQuotaExceededException quotaExceeded(Operation operation, List<ApiError> errors) {
		String kind = operation.label();
		return new KvQuotaExceededException(operation,
				"Cloudflare KV refused the %s: the account's daily %s limit is reached%s; %ss work again after 00:00 UTC"
					.formatted(kind, kind, describe(errors), kind));
	}

	/**
	 * The token permission a kind of operation needs, as Cloudflare's dashboard names it.
	 */
	static String permission(Operation operation) {
		return (operation == Operation.WRITE || operation == Operation.DELETE) ? "Workers KV Storage Write"
				: "Workers KV Storage Read";
	}

	private static boolean quotaExceeded(int status, List<ApiError> errors) {
		return errors.stream()
			.anyMatch((error) -> error.code() == QUOTA_EXCEEDED
					|| (status == 429 && DAILY_LIMIT.matcher(error.message()).find()));
	}

	private @Nullable Duration retryAfter(HttpHeaders headers) {
		String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
		}
		catch (NumberFormatException ex) {
			try {
				ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
				Duration wait = Duration.between(this.clock.instant(), at.toInstant());
				return wait.isNegative() ? Duration.ZERO : wait;
			}
			catch (DateTimeParseException unparsable) {
				return null;
			}
		}
	}

	private void acquirePermit() {
		try {
			this.limiter.acquire();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new KvUnavailableException("interrupted while waiting for the rate limit");
		}
	}

	private void pause(Duration duration) {
		try {
			this.sleeper.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new KvUnavailableException("interrupted while waiting for Retry-After");
		}
	}

	private @Nullable JsonNode parse(byte[] body) {
		if (body.length == 0) {
			return null;
		}
		try {
			return this.json.readTree(body);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private List<ApiError> errors(Reply reply) {
		if (reply.status() >= 200 && reply.status() < 300) {
			return List.of();
		}
		JsonNode envelope = parse(reply.body());
		return (envelope != null) ? errors(envelope) : List.of();
	}

	private List<ApiError> errors(JsonNode envelope) {
		List<ApiError> errors = new ArrayList<>();
		for (JsonNode error : envelope.path("errors").values()) {
			errors.add(new ApiError(error.path("code").asInt(0), scrub(error.path("message").asString(""))));
		}
		return errors;
	}

	private static String describe(List<ApiError> errors) {
		if (errors.isEmpty()) {
			return "";
		}
		return errors.stream()
			.map((error) -> "code " + error.code() + ": " + error.message())
			.collect(Collectors.joining("; ", ", ", ""));
	}

	/**
	 * Server text made safe for one log or error line: no line breaks, no token (nor any
	 * other secret {@link SecretScrubber} knows), at most 200 characters.
	 */
	private String scrub(String text) {
		SecretScrubber.register(this.token);
		return SecretScrubber.oneLine(text, 200);
	}

	/**
	 * KV refused a request: an HTTP 4xx other than 401, 403, 408 and 429, or
	 * {@code success: false}. Carries the envelope's {@code result}, which may still say
	 * which keys of a bulk call were refused and that the others were stored.
	 */
	static final class Refusal extends KvRejectedException {

		private final int status;

		private final List<Integer> codes;

		private final @Nullable JsonNode result;

		Refusal(String message, int status, List<Integer> codes, @Nullable JsonNode result) {
			super(message);
			this.status = status;
			this.codes = codes;
			this.result = result;
		}

		int status() {
			return this.status;
		}

		/** The error codes of the envelope, in order. */
		List<Integer> codes() {
			return this.codes;
		}

		/** The envelope's {@code result}: missing or null when the answer had none. */
		@Nullable JsonNode result() {
			return this.result;
		}

	}

	/** One HTTP answer; {@code envelope} is the parsed JSON of a successful API call. */
	record Reply(int status, HttpHeaders headers, byte[] body, @Nullable JsonNode envelope) {
	}

	/** A successful envelope's {@code result} and {@code result_info}. */
	record Envelope(JsonNode result, JsonNode resultInfo) {
	}

	private record ApiError(int code, String message) {
	}

}
