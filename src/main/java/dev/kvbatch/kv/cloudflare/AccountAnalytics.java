package dev.kvbatch.kv.cloudflare;

import dev.kvbatch.metering.Operation;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.kvbatch.ApiToken;
import dev.kvbatch.SecretScrubber;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The whole account's KV operations from Cloudflare's GraphQL Analytics API
 * ({@code kvOperationsAdaptiveGroups}, summed over namespaces by action type). Used only
 * when {@code kvbatch.cloudflare.account-id} and an API token are set; the token needs
 * Account Analytics Read and is never logged or reported.
 */
@Component
public class AccountAnalytics {

	static final String DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";

	private static final String QUERY = """
			query KvUsage($accountTag: string!, $from: Date!, $to: Date!) {
			  viewer {
			    accounts(filter: { accountTag: $accountTag }) {
			      ops: kvOperationsAdaptiveGroups(
			        filter: { date_geq: $from, date_leq: $to }
			        limit: 10000
			        orderBy: [date_ASC]
			      ) {
			        sum { requests }
			        dimensions { date actionType }
			      }
			    }
			  }
			}
			""";

	private final @Nullable String accountId;

	private final @Nullable String apiToken;

	private final String baseUrl;

	private final RestClient.Builder builder;

	private final JsonMapper mapper = JsonMapper.builder().build();

	// Read through the environment, not a properties record: the kvbatch.cloudflare.*
	// settings belong to the target, which binds them itself.
	public AccountAnalytics(Environment environment, RestClient.Builder builder) {
		this.accountId = trimmed(setting(environment, "kvbatch.cloudflare.account-id", "CLOUDFLARE_ACCOUNT_ID"));
		// The target's properties read the same setting and warn about it.
		this.apiToken = ApiToken.checkQuietly(
				setting(environment, "kvbatch.cloudflare.api-token", "CLOUDFLARE_API_TOKEN"),
				"kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN)");
		String base = trimmed(setting(environment, "kvbatch.cloudflare.base-url", "KVBATCH_CLOUDFLARE_BASE_URL"));
		this.baseUrl = (base != null) ? base.replaceAll("/+$", "") : DEFAULT_BASE_URL;
		this.builder = builder;
	}

	/** Whether an account id and a token are set. */
	public boolean configured() {
		return this.accountId != null && this.apiToken != null;
	}

	/**
	 * The account's operations per operation, summed over the days {@code from} to
	 * {@code to} (UTC) and over all namespaces.
	 * @throws AccountAnalyticsException when the API cannot be reached or answers with
	 * errors; the message never holds the token
	 */
	public Map<Operation, Long> operations(LocalDate from, LocalDate to) {
		if (!configured()) {
			throw new IllegalStateException("Cloudflare analytics are not configured");
		}
		Map<String, Object> variables = new LinkedHashMap<>();
		variables.put("accountTag", this.accountId);
		variables.put("from", from.toString());
		variables.put("to", to.toString());
		String body;
		try {
			body = client().post()
				.uri("/graphql")
				.contentType(MediaType.APPLICATION_JSON)
				.headers((headers) -> headers.setBearerAuth(this.apiToken))
				.body(this.mapper.writeValueAsString(Map.of("query", QUERY, "variables", variables)))
				.retrieve()
				.body(String.class);
		}
		catch (RuntimeException ex) {
			// A refusal's message holds the answer's body, which may echo the request's
			// headers: scrubbed like every text that can reach a report or a mail.
			throw new AccountAnalyticsException("Cloudflare GraphQL request failed: " + safe(ex.getMessage()));
		}
		return parse((body != null) ? body : "");
	}

	Map<Operation, Long> parse(String body) {
		JsonNode root;
		try {
			root = this.mapper.readTree(body);
		}
		catch (RuntimeException ex) {
			throw new AccountAnalyticsException("Cloudflare GraphQL answer is not JSON");
		}
		JsonNode errors = root.path("errors");
		if (errors.isArray() && !errors.isEmpty()) {
			throw new AccountAnalyticsException(
					"Cloudflare GraphQL answered: " + safe(errors.get(0).path("message").asString("unknown error")));
		}
		JsonNode accounts = root.path("data").path("viewer").path("accounts");
		if (!accounts.isArray() || accounts.isEmpty()) {
			throw new AccountAnalyticsException("Cloudflare GraphQL answered with no account for the account id");
		}
		Map<Operation, Long> operations = new EnumMap<>(Operation.class);
		for (Operation operation : Operation.values()) {
			operations.put(operation, 0L);
		}
		for (JsonNode group : accounts.get(0).path("ops")) {
			String action = group.path("dimensions").path("actionType").asString("").toLowerCase(Locale.ROOT);
			for (Operation operation : Operation.values()) {
				if (operation.label().equals(action)) {
					operations.merge(operation, group.path("sum").path("requests").asLong(0), Long::sum);
				}
			}
		}
		return operations;
	}

	private RestClient client() {
		SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
		requests.setConnectTimeout(Duration.ofSeconds(10));
		requests.setReadTimeout(Duration.ofSeconds(30));
		return this.builder.clone().baseUrl(this.baseUrl).requestFactory(requests).build();
	}

	/** Server text as one line without the token, short enough for a report line. */
	private static String safe(@Nullable String text) {
		return SecretScrubber.oneLine(text, 300);
	}

	private static @Nullable String trimmed(@Nullable String value) {
		return (value != null) ? value.trim() : null;
	}

	private static @Nullable String setting(Environment environment, String property, String variable) {
		String value = environment.getProperty(property);
		if (value == null || value.isBlank()) {
			value = environment.getProperty(variable);
		}
		return (value == null || value.isBlank()) ? null : value;
	}

	/** The account's figures could not be read; the report goes on without them. */
	public static class AccountAnalyticsException extends RuntimeException {

		public AccountAnalyticsException(String message) {
			super(message);
		}

	}

}
