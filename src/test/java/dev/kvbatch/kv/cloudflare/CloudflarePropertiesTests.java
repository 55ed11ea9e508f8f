package dev.kvbatch.kv.cloudflare;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.kvbatch.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class CloudflarePropertiesTests {

	/** As long as Cloudflare's API tokens. */
	private static final String TOKEN = "Xq3v9TzP0aLm2Rk7Wn5Bc8Yd1Fh4Gj6Ks0Ue2Vi3";

	@Test
	void readsWranglersVariablesAndKvbatchOnes() {
		CloudflareProperties properties = bind(Map.of("CLOUDFLARE_ACCOUNT_ID", "acc", "CLOUDFLARE_API_TOKEN", TOKEN,
				"KVBATCH_CLOUDFLARE_NAMESPACE_ID", "ns", "KVBATCH_CLOUDFLARE_BASE_URL", "http://localhost:1/client/v4",
				"KVBATCH_CLOUDFLARE_READ_TIMEOUT", "7s"));

		assertThat(properties.accountId()).isEqualTo("acc");
		assertThat(properties.apiToken()).isEqualTo(TOKEN);
		assertThat(properties.namespaceId()).isEqualTo("ns");
		assertThat(properties.baseUrl()).isEqualTo(URI.create("http://localhost:1/client/v4"));
		assertThat(properties.readTimeout()).isEqualTo(Duration.ofSeconds(7));
	}

	@Test
	void kvbatchVariablesWinOverWranglers() {
		CloudflareProperties properties = bind(Map.of("CLOUDFLARE_ACCOUNT_ID", "wrangler",
				"KVBATCH_CLOUDFLARE_ACCOUNT_ID", "kvbatch", "CLOUDFLARE_API_TOKEN", TOKEN));

		assertThat(properties.accountId()).isEqualTo("kvbatch");
	}

	@Test
	void defaultsToCloudflaresApiAndLimits() {
		CloudflareProperties properties = bind(Map.of());

		assertThat(properties.baseUrl()).isEqualTo(URI.create("https://api.cloudflare.com/client/v4"));
		assertThat(properties.rateLimit()).isEqualTo(1200);
		assertThat(properties.rateWindow()).isEqualTo(Duration.ofMinutes(5));
		assertThat(properties.maxRequestSize().toMegabytes()).isEqualTo(100);
	}

	@Test
	void neverPrintsTheToken() {
		CloudflareProperties properties = bind(Map.of("CLOUDFLARE_API_TOKEN", TOKEN));

		assertThat(properties.toString()).doesNotContain(TOKEN).contains("apiToken=(set)");
	}

	@Test
	void namesEveryMissingSettingOnOneLine() {
		CloudflareProperties properties = bind(Map.of("CLOUDFLARE_API_TOKEN", TOKEN));

		assertThatExceptionOfType(ConfigurationException.class).isThrownBy(properties::requireComplete)
			.withMessage("kvbatch.target=cloudflare needs kvbatch.cloudflare.account-id (CLOUDFLARE_ACCOUNT_ID), "
					+ "kvbatch.cloudflare.namespace-id (KVBATCH_CLOUDFLARE_NAMESPACE_ID)");
	}

	@Test
	void trimsALineBreakAroundTheTokenWithAWarningThatLeavesItOut(CapturedOutput output) {
		CloudflareProperties properties = bind(Map.of("CLOUDFLARE_API_TOKEN", TOKEN + "\r\n"));

		assertThat(properties.apiToken()).isEqualTo(TOKEN);
		assertThat(output.getAll())
			.contains("kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN) has a line break"
					+ " around it; using it without")
			.doesNotContain(TOKEN);
	}

	@Test
	void refusesATokenWithWhitespaceInsideWithoutPrintingIt() {
		String token = TOKEN.substring(0, 20) + "\n" + TOKEN.substring(20);

		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> bind(Map.of("CLOUDFLARE_API_TOKEN", token)))
			.havingRootCause()
			.isInstanceOf(ConfigurationException.class)
			.withMessage("kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN) holds a line break at character 21 of 41:"
					+ " paste the token alone");
	}

	@Test
	void refusesAnImplausiblyShortTokenSoThatScrubbingNeverManglesMessages() {
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> bind(Map.of("CLOUDFLARE_API_TOKEN", "e")))
			.havingRootCause()
			.isInstanceOf(ConfigurationException.class)
			.withMessage("kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN) is only 1 character long, and"
					+ " Cloudflare's API tokens have 40: paste the whole token");
	}

	@Test
	void aNamespaceUrlNeedsNoAccountNorNamespaceAndIsUsedAsGiven() {
		CloudflareProperties properties = bind(Map.of("CLOUDFLARE_API_TOKEN", TOKEN, "KVBATCH_CLOUDFLARE_NAMESPACE_URL",
				"http://127.0.0.1:8787/cdn-cgi/local/explorer/api/storage/kv/namespaces/ns1/"));

		properties.requireComplete();

		assertThat(CloudflareClient.namespaceUrl(properties))
			.isEqualTo("http://127.0.0.1:8787/cdn-cgi/local/explorer/api/storage/kv/namespaces/ns1");
	}

	@Test
	void withoutANamespaceUrlTheUrlIsCloudflaresLayout() {
		CloudflareProperties properties = bind(
				Map.of("CLOUDFLARE_ACCOUNT_ID", "acc", "CLOUDFLARE_API_TOKEN", TOKEN, "KVBATCH_CLOUDFLARE_NAMESPACE_ID",
						"ns 1", "KVBATCH_CLOUDFLARE_BASE_URL", "http://localhost:1/client/v4/"));

		assertThat(CloudflareClient.namespaceUrl(properties))
			.isEqualTo("http://localhost:1/client/v4/accounts/acc/storage/kv/namespaces/ns%201");
	}

	@Test
	void aNamespaceUrlMustBeAnHttpUrl() {
		CloudflareProperties properties = bind(
				Map.of("CLOUDFLARE_API_TOKEN", TOKEN, "KVBATCH_CLOUDFLARE_NAMESPACE_URL", "file:///tmp/ns"));

		assertThatExceptionOfType(ConfigurationException.class).isThrownBy(properties::requireComplete)
			.withMessage("kvbatch.cloudflare.namespace-url must be an http or https URL, was \"file:///tmp/ns\"");
	}

	/**
	 * Binds the properties as the application does (with its application.properties),
	 * from these environment variables alone.
	 */
	private static CloudflareProperties bind(Map<String, Object> variables) {
		Map<String, Object> environment = new LinkedHashMap<>(variables);
		StandardEnvironment env = new StandardEnvironment() {

			@Override
			protected void customizePropertySources(MutablePropertySources sources) {
				sources
					.addLast(new SystemEnvironmentPropertySource(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
			}

		};
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Bind.class).environment(env)
			.web(WebApplicationType.NONE)
			.run()) {
			return context.getBean(CloudflareProperties.class);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(CloudflareProperties.class)
	static class Bind {

	}

}
