package dev.kvbatch.api;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kvbatch.api.read-through=true} against a fake Cloudflare namespace (WireMock
 * speaking Cloudflare's API): a key kvbatch has never seen is read from KV, once per
 * read, metered in the ledger as a read, answered and not stored; a key kvbatch holds
 * never reaches KV; the day's read budget is kept.
 */
class ReadThroughTests {

	private static final String VALUES = FakeCloudflareKv.NAMESPACE_PATH + "/values/";

	private static final String READS = """
			SELECT COALESCE(SUM(keys), 0) FROM kv_ledger WHERE operation = 'read' AND target = 'cloudflare'
			""";

	private static final long LATER = 4_000_000_000L;

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
	void readsAKeyKvbatchHasNeverSeenFromKvMeteredAndDoesNotStoreIt() {
		kv.seed("legacy-1", "{\"a\":1}", LATER);
		long before = reads();

		HttpResponse<String> first = server.get("/values/legacy-1");
		HttpResponse<String> second = server.get("/values/legacy-1");

		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		assertThat(first.body()).isEqualTo("{\"a\":1}");
		assertThat(first.headers().firstValue("expiration")).contains(String.valueOf(LATER));
		assertThat(second.body()).isEqualTo("{\"a\":1}");
		assertThat(kv.server().findAll(getRequestedFor(urlPathEqualTo(VALUES + "legacy-1"))))
			.as("not stored: each read asks KV")
			.hasSize(2);
		assertThat(reads() - before).as("each is a KV read in the ledger").isEqualTo(2);
		assertThat(server.jdbc()
			.queryForObject("SELECT COUNT(*) FROM kv_outbox WHERE logical_key = 'legacy-1'", Long.class)
				+ server.jdbc()
					.queryForObject("SELECT COUNT(*) FROM kv_entry WHERE logical_key = 'legacy-1'", Long.class))
			.isZero();
	}

	@Test
	void aKeyKvDoesNotHoldEitherIsCloudflaresNotFoundAndStillAMeteredRead() {
		long before = reads();

		HttpResponse<String> get = server.get("/values/nowhere");

		assertThat(get.statusCode()).isEqualTo(404);
		assertThat(ApiServer.errorCode(get)).isEqualTo(ApiException.KEY_NOT_FOUND);
		assertThat(reads() - before).isEqualTo(1);
	}

	@Test
	void aKeyKvbatchHoldsIsAnsweredLocallyAndNeverReadFromKv() {
		kv.seed("held", "\"old in KV\"", null);
		assertThat(server.put("/values/held", "\"staged\"").statusCode()).isEqualTo(200);
		assertThat(server.send("DELETE", "/values/held-deleted", "").statusCode()).isEqualTo(200);
		kv.seed("held-deleted", "\"old in KV\"", null);
		long before = reads();

		assertThat(server.get("/values/held").body()).isEqualTo("\"staged\"");
		assertThat(server.get("/values/held-deleted").statusCode()).isEqualTo(404);

		assertThat(kv.server().findAll(getRequestedFor(WireMock.urlPathMatching(VALUES + "held.*")))).isEmpty();
		assertThat(reads()).isEqualTo(before);
	}

	@Test
	void bulkGetReadsOnlyTheKeysKvbatchHasNeverSeenInOneRequest() {
		kv.seed("bulk-legacy", "{\"b\":2}", null);
		assertThat(server.put("/values/bulk-local", "{\"c\":3}").statusCode()).isEqualTo(200);
		int requestsBefore = kv.server().findAll(postRequestedFor(urlPathEqualTo(bulkGet()))).size();
		long before = reads();

		HttpResponse<String> bulk = server.send("POST", "/bulk/get",
				"{\"keys\":[\"bulk-local\",\"bulk-legacy\",\"bulk-missing\"],\"type\":\"json\"}", "Content-Type",
				"application/json");

		assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
		JsonNode values = ApiServer.json(bulk).get("result").get("values");
		assertThat(values.get("bulk-local").get("c").asInt()).isEqualTo(3);
		assertThat(values.get("bulk-legacy").get("b").asInt()).isEqualTo(2);
		assertThat(values.get("bulk-missing").isNull()).isTrue();
		assertThat(kv.server().findAll(postRequestedFor(urlPathEqualTo(bulkGet())))).hasSize(requestsBefore + 1);
		assertThat(ApiServer.JSON.readTree(
				kv.server().findAll(postRequestedFor(urlPathEqualTo(bulkGet()))).get(requestsBefore).getBodyAsString())
			.get("keys")
			.toString()).isEqualTo("[\"bulk-legacy\",\"bulk-missing\"]");
		assertThat(reads() - before).as("one read per key sent").isEqualTo(2);
	}

	@Test
	void metadataOfAKeyKvbatchHasNeverSeenIsRefusedNotAnsweredAsNone() {
		kv.seed("with-metadata", "1", null);

		HttpResponse<String> metadata = server.get("/metadata/with-metadata");
		HttpResponse<String> bulk = server.send("POST", "/bulk/get",
				"{\"keys\":[\"with-metadata\"],\"withMetadata\":true}", "Content-Type", "application/json");

		for (HttpResponse<String> refused : List.of(metadata, bulk)) {
			assertThat(refused.statusCode()).isEqualTo(400);
			assertThat(ApiServer.errorCode(refused)).isEqualTo(ApiException.VALIDATION);
			assertThat(refused.body()).contains("with-metadata").contains("not KV metadata").contains("migrate");
		}
	}

	@Test
	void aReadPastTheDaysReadBudgetIsRefusedBeforeKvIsAsked() {
		kv.seed("over-budget", "1", null);
		// The free plan's reads times the headroom: 90,000, as if spent today.
		server.jdbc()
			.update("INSERT INTO kv_ledger (usage_day, operation, target, keys, bytes, requests, recorded_at, "
					+ "in_flight) VALUES (?, 'read', 'cloudflare', 90000, 0, 1, 0, FALSE)",
					LocalDate.now(ZoneOffset.UTC));
		try {
			HttpResponse<String> get = server.get("/values/over-budget");

			assertThat(get.statusCode()).isEqualTo(429);
			assertThat(ApiServer.errorCode(get)).isEqualTo(ReadThrough.FREE_USAGE_LIMIT);
			assertThat(kv.server().findAll(getRequestedFor(urlPathEqualTo(VALUES + "over-budget")))).isEmpty();
		}
		finally {
			server.jdbc().update("DELETE FROM kv_ledger WHERE keys = 90000");
		}
	}

	private static String bulkGet() {
		return FakeCloudflareKv.NAMESPACE_PATH + "/bulk/get";
	}

	private static long reads() {
		return server.jdbc().queryForObject(READS, Long.class);
	}

}
