package dev.kvbatch.target;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.usage.Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;
import org.springframework.web.client.RestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Cloudflare target against a real HTTP server (WireMock) holding a fake namespace,
 * with faults stubbed in front of it.
 */
class CloudflareKvTargetTests {

	private static final long LATER = 4_000_000_000L;

	private static final String BULK = FakeCloudflareKv.NAMESPACE_PATH + "/bulk";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));

	private FakeCloudflareKv kv;

	@BeforeEach
	void start() {
		this.kv = FakeCloudflareKv.startServer();
	}

	@AfterEach
	void stop() {
		this.kv.stopServer();
	}

	@Test
	void writesValuesAsTextWithTheirExpirationInOneBulkRequest() {
		KvTarget target = target();

		List<String> notStored = target.put(List.of(new PhysicalValue("mobile-batch:dev1", "{\"t\":1}", LATER),
				new PhysicalValue("__counter", "20", null)));

		assertThat(notStored).isEmpty();
		List<LoggedRequest> puts = this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)));
		assertThat(puts).singleElement()
			.extracting(LoggedRequest::getBodyAsString)
			.isEqualTo("[{\"key\":\"mobile-batch:dev1\",\"value\":\"{\\\"t\\\":1}\",\"expiration\":" + LATER
					+ "},{\"key\":\"__counter\",\"value\":\"20\"}]");
		assertThat(puts.get(0).getHeader("Authorization")).isEqualTo("Bearer " + FakeCloudflareKv.TOKEN);
		assertThat(target.get("mobile-batch:dev1"))
			.contains(new KvTarget.StoredValue("mobile-batch:dev1", "{\"t\":1}", LATER));
	}

	@Test
	void splitsBulkWritesAtTenThousandPairs() {
		List<PhysicalValue> values = IntStream.range(0, 10_001)
			.mapToObj((i) -> new PhysicalValue("k" + i, "v" + i, null))
			.toList();

		assertThat(target().put(values)).isEmpty();

		List<LoggedRequest> puts = this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)));
		assertThat(puts).extracting((put) -> JSON.readTree(put.getBody()).size()).containsExactly(10_000, 1);
		assertThat(this.kv.snapshot()).hasSize(10_001);
	}

	@Test
	void splitsBulkWritesAtTheRequestSizeLimit() {
		String value = "x".repeat(300);
		List<PhysicalValue> values = IntStream.range(0, 10)
			.mapToObj((i) -> new PhysicalValue("key-" + i, value, null))
			.toList();

		assertThat(target(properties(Duration.ofSeconds(5), DataSize.ofBytes(1000))).put(values)).isEmpty();

		List<LoggedRequest> puts = this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)));
		assertThat(puts).hasSize(4).allSatisfy((put) -> assertThat(put.getBody().length).isLessThanOrEqualTo(1000));
		assertThat(puts).extracting((put) -> JSON.readTree(put.getBody()).size()).containsExactly(3, 3, 3, 1);
		assertThat(this.kv.snapshot()).hasSize(10);
	}

	@Test
	void returnsKeysReportedUnsuccessfulOnASuccessfulResponse() {
		this.kv.failOnce("b", "gone");
		KvTarget target = target();
		target.put(List.of(new PhysicalValue("gone", "1", null)));

		List<String> notStored = target
			.put(List.of(new PhysicalValue("a", "1", null), new PhysicalValue("b", "2", null)));
		List<String> notDeleted = target.delete(List.of("gone", "a"));

		assertThat(notStored).containsExactly("b");
		assertThat(notDeleted).isEmpty();
		assertThat(this.kv.snapshot()).isEmpty();
	}

	@Test
	void deletesWithPostBulkDeleteNeverTheDeprecatedDeleteBulk() {
		KvTarget target = target();
		target.put(List.of(new PhysicalValue("a", "1", null), new PhysicalValue("b", "2", null)));
		this.kv.failOnce("b");

		assertThat(target.delete(List.of("a", "b", "never-there"))).containsExactly("b");

		assertThat(this.kv.server().findAll(postRequestedFor(urlEqualTo(BULK + "/delete")))).singleElement()
			.extracting(LoggedRequest::getBodyAsString)
			.isEqualTo("[\"a\",\"b\",\"never-there\"]");
		assertThat(this.kv.server().findAll(deleteRequestedFor(urlPathMatching(".*")))).isEmpty();
		assertThat(this.kv.snapshot()).containsOnlyKeys("b");
	}

	@Test
	void waitsAsLongAsRetryAfterSaysThenContinues() {
		failFirst(putRequestedBulk(), aResponse().withStatus(429)
			.withHeader("Retry-After", "37")
			.withBody(FakeCloudflareKv.errorBody(971, "Please wait and consider throttling your request speed")));

		assertThat(target().put(List.of(new PhysicalValue("a", "1", null)))).isEmpty();

		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(37));
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).hasSize(2);
		assertThat(this.kv.snapshot()).containsOnlyKeys("a");
	}

	@Test
	void readsRetryAfterGivenAsAnHttpDate() {
		failFirst(putRequestedBulk(),
				aResponse().withStatus(429).withHeader("Retry-After", "Tue, 24 Nov 2026 10:02:00 GMT"));

		assertThat(target().put(List.of(new PhysicalValue("a", "1", null)))).isEmpty();

		assertThat(this.clock.sleeps()).containsExactly(Duration.ofMinutes(2));
	}

	@Test
	void backsOffOnA429WithoutRetryAfter() {
		failFirst(putRequestedBulk(), aResponse().withStatus(429)
			.withBody(FakeCloudflareKv.errorBody(10000, "Writes to the same key within 1 second")));

		assertThat(target().put(List.of(new PhysicalValue("a", "1", null)))).isEmpty();

		assertThat(this.clock.sleeps()).singleElement()
			.satisfies((sleep) -> assertThat(sleep).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500)));
		assertThat(this.kv.snapshot()).containsOnlyKeys("a");
	}

	@Test
	void retriesServerErrorsWithGrowingDelaysThenSucceeds() {
		failFirst(putRequestedBulk(), aResponse().withStatus(500), aResponse().withStatus(502));

		assertThat(target().put(List.of(new PhysicalValue("a", "1", null)))).isEmpty();

		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).hasSize(3);
		assertThat(this.clock.sleeps()).hasSize(2);
		assertThat(this.clock.sleeps().get(0)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1500));
		assertThat(this.clock.sleeps().get(1)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(4));
		assertThat(this.kv.snapshot()).containsOnlyKeys("a");
	}

	@Test
	void givesUpWithUnavailableWhenServerErrorsLastWithCappedDelays() {
		this.kv.server()
			.stubFor(putRequestedBulk().atPriority(1)
				.willReturn(aResponse().withStatus(503)
					.withBody(FakeCloudflareKv.errorBody(10043, "service temporarily unavailable"))));

		assertThatExceptionOfType(KvUnavailableException.class)
			.isThrownBy(() -> target().put(List.of(new PhysicalValue("a", "1", null))))
			.withMessageContaining("failed 6 times")
			.withMessageContaining("HTTP 503, code 10043: service temporarily unavailable");

		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).hasSize(6);
		// Doubling from 1 s would reach 16 s by the fifth retry; the cap is 4 s.
		assertThat(this.clock.sleeps()).hasSize(5)
			.allSatisfy((sleep) -> assertThat(sleep).isBetween(Duration.ofMillis(500), Duration.ofSeconds(4)));
		assertThat(this.kv.snapshot()).isEmpty();
	}

	@Test
	void retriesARequestThatTimedOut() {
		failFirst(putRequestedBulk(), aResponse().withFixedDelay(3000).withStatus(200));

		KvTarget target = target(properties(Duration.ofMillis(300), DataSize.ofMegabytes(100)));
		assertThat(target.put(List.of(new PhysicalValue("a", "1", null)))).isEmpty();

		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).hasSize(2);
		assertThat(this.clock.sleeps()).hasSize(1);
		assertThat(this.kv.snapshot()).containsOnlyKeys("a");
	}

	@Test
	void throwsQuotaExceededNamingTheOperationOnError10048() {
		this.kv.server()
			.stubFor(putRequestedBulk().atPriority(1)
				.willReturn(aResponse().withStatus(429)
					.withBody(FakeCloudflareKv.errorBody(10048,
							"your account has reached the free usage limit for this operation for today"))));

		assertThatExceptionOfType(KvQuotaExceededException.class)
			.isThrownBy(() -> target().put(List.of(new PhysicalValue("a", "1", null))))
			.satisfies((ex) -> assertThat(ex.operation()).isEqualTo(Operation.WRITE))
			.withMessageContaining("daily write limit is reached")
			.withMessageContaining("after 00:00 UTC");
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).as("not retried").hasSize(1);
		assertThat(this.clock.sleeps()).isEmpty();
	}

	@Test
	void throwsQuotaExceededOnA429SayingTheFreeLimitIsReached() {
		this.kv.server()
			.stubFor(WireMock.post(BULK + "/delete")
				.atPriority(1)
				.willReturn(aResponse().withStatus(429)
					.withHeader("Retry-After", "60")
					.withBody(FakeCloudflareKv.errorBody(10000, "KV delete() limit exceeded for the day."))));

		assertThatExceptionOfType(KvQuotaExceededException.class).isThrownBy(() -> target().delete(List.of("a")))
			.satisfies((ex) -> assertThat(ex.operation()).isEqualTo(Operation.DELETE));
		assertThat(this.clock.sleeps()).isEmpty();
	}

	@Test
	void namesTheMissingWritePermissionWhenTheTokenIsRefused() {
		KvTarget target = target(
				properties(Duration.ofSeconds(5), DataSize.ofMegabytes(100), "wrong-token-0123456789abcdef"));

		assertThatExceptionOfType(KvAuthException.class)
			.isThrownBy(() -> target.put(List.of(new PhysicalValue("a", "1", null))))
			.withMessage("Cloudflare refused the API token for a KV write (HTTP 401, code 10000: Authentication error):"
					+ " it needs the \"Workers KV Storage Write\" permission on account " + FakeCloudflareKv.ACCOUNT)
			.withMessageNotContaining("wrong-token-0123456789abcdef");
		assertThat(this.kv.server().findAll(anyRequestedFor(urlPathMatching(".*")))).as("not retried").hasSize(1);
	}

	@Test
	void namesTheMissingReadPermissionWhenAListIsForbidden() {
		this.kv.server()
			.stubFor(WireMock.get(urlPathMatching(".*/keys"))
				.atPriority(1)
				.willReturn(aResponse().withStatus(403)
					.withBody(
							FakeCloudflareKv.errorBody(10000, "Authentication error for " + FakeCloudflareKv.TOKEN))));

		assertThatExceptionOfType(KvAuthException.class).isThrownBy(() -> target().list("", null, 1000))
			.withMessageContaining("\"Workers KV Storage Read\"")
			.withMessageNotContaining(FakeCloudflareKv.TOKEN);
	}

	@Test
	void listsAcrossAnEmptyPageUntilTheCursorRunsOut() {
		stubPage("limit=1000&prefix=p", "[{\"name\":\"p1\"},{\"name\":\"p2\",\"expiration\":" + LATER + "}]", "c1");
		stubPage("limit=1000&prefix=p&cursor=c1", "[]", "c2");
		stubPage("limit=1000&prefix=p&cursor=c2", "[{\"name\":\"p3\"}]", "");
		KvTarget target = target();

		List<KvTarget.ListedKey> keys = new ArrayList<>();
		List<String> cursors = new ArrayList<>();
		String cursor = null;
		do {
			KvTarget.ListPage page = target.list("p", cursor, 1000);
			keys.addAll(page.keys());
			cursor = page.cursor();
			cursors.add(cursor);
		}
		while (cursor != null);

		assertThat(keys).containsExactly(new KvTarget.ListedKey("p1", null), new KvTarget.ListedKey("p2", LATER),
				new KvTarget.ListedKey("p3", null));
		assertThat(cursors).containsExactly("c1", "c2", null);
	}

	@Test
	void readsAValueByItsPercentEncodedKey() {
		KvTarget target = target();
		String key = "dir/a b:c%é";
		target.put(List.of(new PhysicalValue(key, "ünïcode", LATER)));

		assertThat(target.get(key)).contains(new KvTarget.StoredValue(key, "ünïcode", LATER));
		assertThat(target.get("missing")).isEmpty();

		assertThat(this.kv.server().findAll(WireMock.getRequestedFor(urlPathMatching(".*/values/.*"))))
			.extracting(LoggedRequest::getUrl)
			.containsExactly(FakeCloudflareKv.NAMESPACE_PATH + "/values/dir%2Fa%20b%3Ac%25%C3%A9",
					FakeCloudflareKv.NAMESPACE_PATH + "/values/missing");
	}

	@Test
	void bulkGetAsksAtMostAHundredKeysARequest() {
		KvTarget target = target();
		target.put(IntStream.range(0, 150)
			.filter((i) -> i % 2 == 0)
			.mapToObj((i) -> new PhysicalValue("k" + i, "v" + i, null))
			.toList());

		List<KvTarget.StoredValue> found = target.bulkGet(IntStream.range(0, 150).mapToObj((i) -> "k" + i).toList());

		assertThat(found).hasSize(75).first().isEqualTo(new KvTarget.StoredValue("k0", "v0", null));
		assertThat(this.kv.server().findAll(postRequestedFor(urlEqualTo(BULK + "/get"))))
			.extracting((request) -> JSON.readTree(request.getBody()))
			.satisfiesExactly((first) -> {
				assertThat(first.path("keys").size()).isEqualTo(100);
				assertThat(first.path("type").asString()).isEqualTo("text");
				assertThat(first.path("withMetadata").asBoolean()).isTrue();
			}, (second) -> assertThat(second.path("keys").size()).isEqualTo(50));
	}

	private MappingBuilder putRequestedBulk() {
		return WireMock.put(BULK);
	}

	/** The first requests get these answers, in order; later ones reach the fake KV. */
	private void failFirst(MappingBuilder request,
			com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder... answers) {
		for (int i = 0; i < answers.length; i++) {
			this.kv.server()
				.stubFor(request.atPriority(1)
					.inScenario("faults")
					.whenScenarioStateIs((i == 0) ? Scenario.STARTED : "fault-" + i)
					.willSetStateTo("fault-" + (i + 1))
					.willReturn(answers[i]));
			request = WireMock.put(BULK);
		}
	}

	private void stubPage(String query, String result, String cursor) {
		this.kv.server()
			.stubFor(WireMock.get(FakeCloudflareKv.NAMESPACE_PATH + "/keys?" + query)
				.atPriority(1)
				.willReturn(aResponse().withStatus(200)
					.withBody("{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + result
							+ ",\"result_info\":{\"count\":0,\"cursor\":\"" + cursor + "\"}}")));
	}

	private CloudflareProperties properties(Duration readTimeout, DataSize maxRequestSize) {
		return properties(readTimeout, maxRequestSize, FakeCloudflareKv.TOKEN);
	}

	private CloudflareProperties properties(Duration readTimeout, DataSize maxRequestSize, String token) {
		return new CloudflareProperties(FakeCloudflareKv.ACCOUNT, token, FakeCloudflareKv.NAMESPACE,
				URI.create(this.kv.baseUrl()), Duration.ofSeconds(2), readTimeout, 5, Duration.ofSeconds(1),
				Duration.ofSeconds(4), Duration.ofMinutes(6), 1200, Duration.ofMinutes(5), maxRequestSize);
	}

	private KvTarget target() {
		return target(properties(Duration.ofSeconds(5), DataSize.ofMegabytes(100)));
	}

	private KvTarget target(CloudflareProperties properties) {
		return CloudflareKvTarget.create(properties, RestClient.builder(), JSON, this.clock, this.clock.sleeper());
	}

}
