package dev.kvbatch.kv.cloudflare;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.kvbatch.ApiToken;
import dev.kvbatch.ConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/**
 * The Cloudflare Workers KV namespace the {@code cloudflare} target writes to, and how it
 * talks to the REST API. {@code CLOUDFLARE_ACCOUNT_ID} and {@code CLOUDFLARE_API_TOKEN}
 * (wrangler's names) are read too, see {@code application.properties}.
 *
 * @param accountId the account that owns the namespace ({@code CLOUDFLARE_ACCOUNT_ID})
 * @param apiToken an API token with "Workers KV Storage Write" and "Workers KV Storage
 * Read" ({@code CLOUDFLARE_API_TOKEN}); never logged nor printed
 * @param namespaceId the KV namespace ({@code KVBATCH_CLOUDFLARE_NAMESPACE_ID})
 * @param baseUrl the API root ({@code KVBATCH_CLOUDFLARE_BASE_URL})
 * @param connectTimeout how long to wait for a connection
 * @param readTimeout how long to wait for a response; a request that takes longer is
 * retried like a server error
 * @param maxRetries retries of a request that failed with a server error or timed out,
 * after the first attempt; also the most waits of a rate-limited request
 * @param retryDelay the first retry's delay, doubled for each next one (with up to half
 * of it added at random so that clients do not retry in step)
 * @param maxRetryDelay the longest delay between two retries
 * @param maxRetryAfter the longest {@code Retry-After} kvbatch waits for; a longer one
 * fails the call (restartable)
 * @param rateLimit requests sent at most per {@code rateWindow} (Cloudflare's API allows
 * 1,200 per 5 minutes per token and blocks all calls for 5 minutes beyond)
 * @param rateWindow the sliding window of {@code rateLimit}
 * @param maxRequestSize the largest bulk-write body; KV takes 100 MB
 * @param namespaceUrl the namespace's API URL, replacing the one built from
 * {@code baseUrl}, account and namespace ({@code KVBATCH_CLOUDFLARE_NAMESPACE_URL}): for
 * Miniflare's Local Explorer
 * ({@code http://127.0.0.1:8787/cdn-cgi/local/explorer/api/storage/kv/namespaces/<id>})
 * or any server with the same API; account and namespace are then not needed
 */
@ConfigurationProperties("kvbatch.cloudflare")
public record CloudflareProperties(@Nullable String accountId, @Nullable String apiToken, @Nullable String namespaceId,
		@DefaultValue("https://api.cloudflare.com/client/v4") URI baseUrl, @DefaultValue("10s") Duration connectTimeout,
		@DefaultValue("60s") Duration readTimeout, @DefaultValue("5") int maxRetries,
		@DefaultValue("1s") Duration retryDelay, @DefaultValue("30s") Duration maxRetryDelay,
		@DefaultValue("6m") Duration maxRetryAfter, @DefaultValue("1200") int rateLimit,
		@DefaultValue("5m") Duration rateWindow, @DefaultValue("100MB") DataSize maxRequestSize,
		@Nullable URI namespaceUrl) {

	/** How messages name the token setting. */
	static final String TOKEN_SETTING = "kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN)";

	/**
	 * Checks the token as it is bound: surrounding whitespace is removed with a warning;
	 * a token that cannot be right is refused, without printing it.
	 * @throws ConfigurationException if the token holds whitespace or is implausibly
	 * short
	 */
	public CloudflareProperties {
		apiToken = ApiToken.check(apiToken, TOKEN_SETTING);
	}

	/**
	 * Fails with one line naming every missing setting, in both of its forms.
	 * @throws ConfigurationException if the account, token or namespace is missing
	 */
	void requireComplete() {
		List<String> missing = new ArrayList<>();
		if (this.namespaceUrl == null && !StringUtils.hasText(this.accountId)) {
			missing.add("kvbatch.cloudflare.account-id (CLOUDFLARE_ACCOUNT_ID)");
		}
		if (!StringUtils.hasText(this.apiToken)) {
			missing.add("kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN)");
		}
		if (this.namespaceUrl == null && !StringUtils.hasText(this.namespaceId)) {
			missing.add("kvbatch.cloudflare.namespace-id (KVBATCH_CLOUDFLARE_NAMESPACE_ID)");
		}
		if (!missing.isEmpty()) {
			throw new ConfigurationException("kvbatch.target=cloudflare needs " + String.join(", ", missing));
		}
		if (this.maxRetries < 0 || this.rateLimit < 1 || this.maxRequestSize.toBytes() < 1) {
			throw new ConfigurationException(
					"kvbatch.cloudflare: max-retries must be 0 or more, rate-limit and max-request-size positive");
		}
		if (this.namespaceUrl != null && (!this.namespaceUrl.isAbsolute() || this.namespaceUrl.getHost() == null
				|| !this.namespaceUrl.getScheme().matches("https?"))) {
			throw new ConfigurationException(
					"kvbatch.cloudflare.namespace-url must be an http or https URL, was \"" + this.namespaceUrl + "\"");
		}
	}

	/** Everything but the token, which is only said to be set or not. */
	@Override
	public String toString() {
		return "CloudflareProperties[accountId=%s, apiToken=%s, namespaceId=%s, baseUrl=%s, namespaceUrl=%s]".formatted(
				this.accountId, StringUtils.hasText(this.apiToken) ? "(set)" : "(missing)", this.namespaceId,
				this.baseUrl, this.namespaceUrl);
	}

}
