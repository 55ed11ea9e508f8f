package dev.kvbatch.cli;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite against the WireMock fake of Cloudflare's API, reached through
 * {@code base-url}, account and namespace, so that the fake the other tests rely on
 * answers as Miniflare does. Also the cases Miniflare cannot play (see
 * {@link MiniflareConformanceIT}). Runs in the {@code conformance} profile.
 */
class FakeKvConformanceIT extends KvConformanceSuite {

	private FakeCloudflareKv kv;

	@BeforeAll
	void startFake() {
		this.kv = FakeCloudflareKv.startServer();
	}

	@AfterAll
	void stopFake() {
		this.kv.stopServer();
	}

	@Override
	String root() {
		return this.kv.server().baseUrl();
	}

	@Override
	String namespacePath() {
		return FakeCloudflareKv.NAMESPACE_PATH;
	}

	@Override
	Map<String, String> settings(String root) {
		return Map.of("KVBATCH_CLOUDFLARE_BASE_URL", root + "/client/v4", "CLOUDFLARE_ACCOUNT_ID",
				FakeCloudflareKv.ACCOUNT, "KVBATCH_CLOUDFLARE_NAMESPACE_ID", FakeCloudflareKv.NAMESPACE,
				"CLOUDFLARE_API_TOKEN", TOKEN);
	}

	@Test
	void aTokenKvRefusesIsAConfigurationErrorNamingThePermission(@TempDir Path tmp) throws Exception {
		Path data = tmp.resolve("kv");
		stage(data, tmp.resolve("input.jsonl"), "{\"op\":\"put\",\"key\":\"a\",\"value\":1}");

		CliRun.Result run = kvbatch(data, Map.of("CLOUDFLARE_API_TOKEN", "wrong-token-0123456789abcdef"), "run",
				"compress");

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).contains("Cloudflare refused the API token for a KV write (HTTP 401",
				"\"Workers KV Storage Write\" permission on account " + FakeCloudflareKv.ACCOUNT);
		assertThat(namespace().list("")).isEmpty();
	}

	@Test
	void anUnknownNamespaceFailsTheRunRestartablyNamingIt(@TempDir Path tmp) throws Exception {
		Path data = tmp.resolve("kv");
		stage(data, tmp.resolve("input.jsonl"), "{\"op\":\"put\",\"key\":\"a\",\"value\":1}");

		CliRun.Result run = kvbatch(data, Map.of("KVBATCH_CLOUDFLARE_NAMESPACE_ID", "no-such-namespace"), "run",
				"compress");

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(run.err()).contains("Cloudflare KV refused the write: HTTP 404, code 10013: namespace not found");
		assertThat(run.out()).doesNotContain("set aside");
	}

	/**
	 * What the fake answers as Cloudflare documents it, where Miniflare answers
	 * otherwise.
	 */
	@Test
	void theFakeAnswersAsCloudflaresApiWhereTheLocalExplorerDoesNot() {
		long expiration = Instant.now().getEpochSecond() + 3600;
		namespace().seed(Map.of("k", "v"), Map.of("k", expiration));
		JsonMapper json = JsonMapper.builder().build();

		assertThat(new KvNamespaceClient(root() + namespacePath(), "not-the-token").send("GET", "/keys", null)
			.statusCode()).isEqualTo(401);
		HttpResponse<byte[]> unknown = new KvNamespaceClient(
				root() + namespacePath().replace(FakeCloudflareKv.NAMESPACE, "no-such-namespace"), TOKEN)
			.send("GET", "/keys", null);
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(json.readTree(unknown.body()).path("errors").path(0).path("code").asInt()).isEqualTo(10013);
		assertThat(json.readTree(namespace().send("GET", "/metadata/k", null).body()).path("success").asBoolean())
			.isTrue();
		assertThat(namespace().send("GET", "/values/k", null).headers().firstValue("expiration"))
			.contains(String.valueOf(expiration));
		JsonNode bulk = json.readTree(
				namespace()
					.send("POST", "/bulk/get",
							"{\"keys\":[\"k\"],\"type\":\"text\",\"withMetadata\":true}"
								.getBytes(StandardCharsets.UTF_8))
					.body());
		assertThat(bulk.path("result").path("values").path("k").path("expiration").asLong()).isEqualTo(expiration);
	}

}
