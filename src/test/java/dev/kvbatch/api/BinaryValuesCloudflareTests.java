package dev.kvbatch.api;

import java.nio.file.Path;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raw values against a fake Cloudflare namespace (WireMock speaking Cloudflare's API):
 * compress sends a direct key's bytes with {@code base64: true} and KV holds exactly
 * them; a read-through of a binary value KV holds answers its bytes unchanged.
 */
class BinaryValuesCloudflareTests {

	@TempDir
	static Path data;

	private static FakeCloudflareKv kv;

	private static ApiServer server;

	@BeforeAll
	static void start() {
		kv = FakeCloudflareKv.startServer();
		server = ApiServer.start(data.resolve("data"), "--kvbatch.api.read-through=true", "--kvbatch.target=cloudflare",
				"--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT,
				"--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE,
				"--kvbatch.cloudflare.api-token=" + FakeCloudflareKv.TOKEN,
				"--kvbatch.cloudflare.base-url=" + kv.baseUrl(), "--kvbatch.api.account-id=kvbatch",
				"--kvbatch.api.namespace-id=kvbatch");
	}

	@AfterAll
	static void stop() {
		try {
			server.close();
		}
		finally {
			kv.stopServer();
		}
	}

	@Test
	void compressSendsADirectKeysBytesAsBase64AndKvHoldsThem() throws Exception {
		byte[] photo = BinaryValuesHttpTests.binary(21, 40_000);
		assertThat(BinaryValuesHttpTests.putBytes(server, "/values/cf-photo", photo).statusCode()).isEqualTo(200);
		server.compress();

		assertThat(kv.snapshot().get("cf-photo").bytes()).isEqualTo(photo);
		LoggedRequest sent = kv.server()
			.findAll(putRequestedFor(urlPathEqualTo(FakeCloudflareKv.NAMESPACE_PATH + "/bulk")))
			.stream()
			.filter((request) -> request.getBodyAsString().contains("cf-photo"))
			.findFirst()
			.orElseThrow();
		JsonNode pair = ApiServer.JSON.readTree(sent.getBodyAsString()).get(0);
		assertThat(pair.get("base64").asBoolean()).isTrue();
		assertThat(BinaryValuesHttpTests.getBytes(server, "/values/cf-photo")).isEqualTo(photo);
	}

	@Test
	void aReadThroughAnswersKvsBytesUnchanged() throws Exception {
		byte[] legacy = BinaryValuesHttpTests.binary(22, 5000);
		kv.seed("cf-legacy-binary", legacy, null);
		assertThat(BinaryValuesHttpTests.getBytes(server, "/values/cf-legacy-binary")).isEqualTo(legacy);
	}

}
