package dev.kvbatch.cli;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance suite against Miniflare's Local Explorer, reached through
 * {@code kvbatch.cloudflare.namespace-url} with no proxy. Runs in the {@code conformance}
 * profile ({@code ./mvnw -B verify -Pconformance}, as {@code .ci/run} does); needs Node
 * 20 or later and npm, and fails, never skips, without them.
 */
class MiniflareConformanceIT extends KvConformanceSuite {

	private Miniflare miniflare;

	@BeforeAll
	void startMiniflare(@TempDir Path dir) throws Exception {
		this.miniflare = Miniflare.start(dir.resolve("miniflare.log"));
	}

	@AfterAll
	void stopMiniflare() throws InterruptedException {
		this.miniflare.close();
	}

	@Override
	String root() {
		return this.miniflare.root();
	}

	@Override
	String namespacePath() {
		return this.miniflare.namespacePath();
	}

	@Override
	Map<String, String> settings(String root) {
		return Map.of("KVBATCH_CLOUDFLARE_NAMESPACE_URL", root + namespacePath(), "CLOUDFLARE_API_TOKEN", TOKEN);
	}

	/**
	 * Where the Local Explorer is not Cloudflare's API, the cases that need Cloudflare's
	 * behaviour run on the fake ({@link FakeKvConformanceIT}): a refused token, an
	 * unknown namespace. kvbatch reads expirations from the listing, so neither the
	 * missing {@code expiration} header nor the missing {@code metadata} route matters to
	 * it. Should Miniflare change, this test says which case can move here.
	 */
	@Test
	void whereTheLocalExplorerDiffersFromCloudflaresApiTheCasesStayOnTheFake() {
		long expiration = Instant.now().getEpochSecond() + 3600;
		namespace().seed(Map.of("k", "v"), Map.of("k", expiration));

		KvNamespaceClient stranger = new KvNamespaceClient(root() + namespacePath(), "not-the-token");
		assertThat(stranger.list("")).as("no token is checked (Cloudflare: HTTP 401 or 403)").containsOnlyKeys("k");
		String unknown = namespacePath().substring(0, namespacePath().lastIndexOf('/') + 1) + "no-such-namespace";
		assertThat(new KvNamespaceClient(root() + unknown, TOKEN).list(""))
			.as("any namespace id is answered (Cloudflare: HTTP 404, code 10013)")
			.isEmpty();
		assertThat(namespace().send("GET", "/metadata/k", null).statusCode()).as("no metadata route").isEqualTo(404);
		HttpResponse<byte[]> read = namespace().send("GET", "/values/k", null);
		assertThat(read.headers().firstValue("expiration")).as("a read has no expiration header").isEmpty();
		HttpResponse<byte[]> bulk = namespace().send("POST", "/bulk/get",
				"{\"keys\":[\"k\"],\"type\":\"text\",\"withMetadata\":true}".getBytes(StandardCharsets.UTF_8));
		assertThat(
				JsonMapper.builder().build().readTree(bulk.body()).path("result").path("values").path("k").isString())
			.as("a bulk read answers plain values, whatever withMetadata says")
			.isTrue();
		assertThat(namespace().list("")).as("the listing has the expiration").containsEntry("k", expiration);
	}

}
