package dev.kvbatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDate;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole account's usage from Cloudflare's GraphQL Analytics API (a WireMock stand-in)
 * beside kvbatch's own ledger.
 */
class AccountUsageIntegrationTests {

	private static final String TOKEN = "test-token-4f8a1c90b2e7d3";

	private static final String NOW = "--test.now=2026-11-24T06:00:00Z";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	static WireMockExtension cloudflare = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort())
		.build();

	@TempDir
	Path dataDir;

	@Test
	void countsTheLargerOfKvbatchsAndTheAccountsOperations() throws Exception {
		cloudflare.stubFor(post("/graphql").withHeader("Authorization", equalTo("Bearer " + TOKEN))
			.withRequestBody(matchingJsonPath("$.variables.accountTag", equalTo("acc123")))
			.withRequestBody(matchingJsonPath("$.variables.from", equalTo("2026-11-23")))
			.withRequestBody(matchingJsonPath("$.variables.to", equalTo("2026-11-23")))
			.withRequestBody(matchingJsonPath("$.query", containing("kvOperationsAdaptiveGroups")))
			.willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("""
					{"data":{"viewer":{"accounts":[{"ops":[
					  {"sum":{"requests":700},"dimensions":{"date":"2026-11-23","actionType":"write"}},
					  {"sum":{"requests":250},"dimensions":{"date":"2026-11-23","actionType":"write"}},
					  {"sum":{"requests":5},"dimensions":{"date":"2026-11-23","actionType":"read"}},
					  {"sum":{"requests":40},"dimensions":{"date":"2026-11-23","actionType":"list"}}
					]}]}},"errors":null}
					""")));
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		givenKvbatchSent(cli);

		CliRun.Result run = cli.run("report", "--format", "json", NOW, "--kvbatch.cloudflare.account-id=acc123",
				"--kvbatch.cloudflare.api-token=" + TOKEN, "--kvbatch.cloudflare.base-url=" + cloudflare.baseUrl());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		cloudflare.verify(1, postRequestedFor(urlEqualTo("/graphql")));
		JsonNode report = JSON.readTree(run.out());
		assertThat(operation(report, 0)).isEqualTo("read used 10 kvbatch 10 account 5");
		assertThat(operation(report, 1)).isEqualTo("write used 950 kvbatch 860 account 950");
		assertThat(operation(report, 2)).isEqualTo("delete used 0 kvbatch 0 account 0");
		assertThat(operation(report, 3)).isEqualTo("list used 40 kvbatch 3 account 40");
		assertThat(report.at("/operations/1/zone").asString()).isEqualTo("warning");
		assertThat(report.at("/account/error").isNull()).isTrue();
		assertThat(report.at("/forecast/writesLeft").asLong()).isEqualTo(50);
		assertThat(run.out() + run.err()).doesNotContain(TOKEN);
		assertThat(Files.readString(this.dataDir.resolve("reports/usage-2026-11-23.txt"))).contains("account")
			.doesNotContain(TOKEN);
	}

	@Test
	void reportsKvbatchsOwnFiguresWhenTheApiFails() throws Exception {
		cloudflare.stubFor(post("/graphql").willReturn(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"data\":null,\"errors\":[{\"message\":\"not authorized for that account\"}]}")));
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		givenKvbatchSent(cli);

		CliRun.Result run = cli.run("report", "--format", "json", NOW, "--kvbatch.cloudflare.account-id=acc123",
				"--kvbatch.cloudflare.api-token=" + TOKEN, "--kvbatch.cloudflare.base-url=" + cloudflare.baseUrl());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		JsonNode report = JSON.readTree(run.out());
		assertThat(operation(report, 1)).isEqualTo("write used 860 kvbatch 860 account null");
		assertThat(report.at("/account/error").asString())
			.isEqualTo("Cloudflare GraphQL answered: not authorized for that account");
		assertThat(run.out() + run.err()).doesNotContain(TOKEN);
	}

	@Test
	void asksNothingWithoutAnAccountAndAToken() throws Exception {
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		givenKvbatchSent(cli);

		CliRun.Result run = cli.run("report", "--format", "json", NOW, "--kvbatch.cloudflare.api-token=" + TOKEN,
				"--kvbatch.cloudflare.base-url=" + cloudflare.baseUrl());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(cloudflare.getAllServeEvents()).isEmpty();
		assertThat(JSON.readTree(run.out()).get("account").isNull()).isTrue();
	}

	private void givenKvbatchSent(CliRun cli) throws SQLException {
		assertThat(cli.run("executions", NOW).exitCode()).isZero();
		LocalDate day = LocalDate.of(2026, 11, 23);
		try (UsageRows rows = new UsageRows(this.dataDir)) {
			rows.ledger(day, "write", "local", 860).ledger(day, "read", "local", 10).ledger(day, "list", "local", 3);
		}
	}

	private static String operation(JsonNode report, int index) {
		JsonNode operation = report.at("/operations/" + index);
		return operation.get("operation").asString() + " used " + operation.get("used").asLong() + " kvbatch "
				+ operation.get("kvbatch").asLong() + " account "
				+ (operation.get("account").isNull() ? "null" : operation.get("account").asLong());
	}

}
