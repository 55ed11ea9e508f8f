package dev.kvbatch.kv.cloudflare;

import dev.kvbatch.kv.KvAnswerTooLargeException;
import dev.kvbatch.kv.KvAuthException;
import dev.kvbatch.kv.KvItemsRefusedException;
import dev.kvbatch.kv.KvProtocolException;
import dev.kvbatch.kv.KvQuotaExceededException;
import dev.kvbatch.kv.KvRejectedException;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.KvUnavailableException;
import dev.kvbatch.MovableClock;
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
import dev.kvbatch.metering.Operation;
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
		this.kv = FakeCloudflareKv.startServer(this.clock);
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
		// The first answer comes long after the timeout; the retry's answer must come
		// within
		// it, so the timeout leaves a loaded machine room for an ordinary local request.
		failFirst(putRequestedBulk(), aResponse().withFixedDelay(6000).withStatus(200));

		KvTarget target = target(properties(Duration.ofMillis(2000), DataSize.ofMegabytes(100)));
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

	@Test
	void pointsAtTheNamespaceUrlWithoutAccountOrNamespace() {
		CloudflareProperties properties = new CloudflareProperties(null, FakeCloudflareKv.TOKEN, null,
				URI.create("http://unused.invalid/client/v4"), Duration.ofSeconds(2), Duration.ofSeconds(5), 5,
				Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(6), 1200, Duration.ofMinutes(5),
				DataSize.ofMegabytes(100), URI.create(this.kv.namespaceUrl() + "/"));
		KvTarget target = target(properties);

		target.put(List.of(new PhysicalValue("a/b", "1", null)));

		assertThat(target.get("a/b")).contains(new KvTarget.StoredValue("a/b", "1", null));
		assertThat(this.kv.server().findAll(anyRequestedFor(urlPathMatching(".*")))).extracting(LoggedRequest::getUrl)
			.containsExactly(BULK, FakeCloudflareKv.NAMESPACE_PATH + "/values/a%2Fb");
	}

	@Test
	void sendsAnExpirationNearKvsMinimumAsATtlCountedWhenTheRequestLands() {
		long now = this.clock.instant().getEpochSecond();
		long far = now + 60 + CloudflareKvTarget.ABSOLUTE_MARGIN.toSeconds();
		KvTarget target = target();

		target.put(List.of(new PhysicalValue("soon", "1", now + 30),
				new PhysicalValue("in-ten-minutes", "2", now + 600), new PhysicalValue("far", "3", far)));

		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).singleElement()
			.extracting(LoggedRequest::getBodyAsString)
			.isEqualTo("[{\"key\":\"soon\",\"value\":\"1\",\"expiration_ttl\":60},"
					+ "{\"key\":\"in-ten-minutes\",\"value\":\"2\",\"expiration_ttl\":600},"
					+ "{\"key\":\"far\",\"value\":\"3\",\"expiration\":" + far + "}]");
		assertThat(this.kv.snapshot()).containsEntry("soon", new FakeCloudflareKv.Stored("1", now + 60))
			.containsEntry("in-ten-minutes", new FakeCloudflareKv.Stored("2", now + 600))
			.containsEntry("far", new FakeCloudflareKv.Stored("3", far));
	}

	@Test
	void anExpirationComputedJustBeforeASlowRequestIsNeverRefused() {
		long now = this.clock.instant().getEpochSecond();
		// The request lands 3 s after the body was made (a slow upload, a retry): KV
		// counts 60 s from then, so an expiration of exactly now + 60 still holds.
		failFirst(putRequestedBulk(), aResponse().withStatus(503));
		this.kv.server()
			.addMockServiceRequestListener((request, response) -> this.clock.advance(Duration.ofSeconds(3)));

		assertThat(target().put(List.of(new PhysicalValue("ttl-60", "1", now + 60)))).isEmpty();

		assertThat(this.kv.snapshot()).containsOnlyKeys("ttl-60");
		assertThat(this.kv.snapshot().get("ttl-60").expiration()).isGreaterThanOrEqualTo(now + 60);
	}

	@Test
	void itemsThatBreakALimitAreNotSentAndTheOthersAre() {
		KvTarget target = target();
		String tooLarge = "x".repeat(25 * 1024 * 1024 + 1);

		assertThatExceptionOfType(KvItemsRefusedException.class)
			.isThrownBy(() -> target.put(List.of(new PhysicalValue("a", "1", null), new PhysicalValue(".", "2", null),
					new PhysicalValue("big", tooLarge, null))))
			.satisfies((ex) -> {
				assertThat(ex.refusals()).containsExactly(
						new KvItemsRefusedException.Refusal(List.of("."), "key \".\" is \".\", which KV does not allow",
								true),
						new KvItemsRefusedException.Refusal(List.of("big"),
								"value of key \"big\" is 26214401 bytes, over KV's 25 MiB limit", true));
				assertThat(ex.notStored()).isEmpty();
			});

		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).singleElement()
			.extracting(LoggedRequest::getBodyAsString)
			.isEqualTo("[{\"key\":\"a\",\"value\":\"1\"}]");
		assertThat(this.kv.snapshot()).containsOnlyKeys("a");
	}

	@Test
	void aRequestKvRefusesAsAWholeIsReportedWithAllItsKeys() {
		this.kv.refuse("b");
		KvTarget target = target();

		assertThatExceptionOfType(KvItemsRefusedException.class)
			.isThrownBy(() -> target.put(List.of(new PhysicalValue("a", "1", null), new PhysicalValue("b", "2", null))))
			.satisfies((ex) -> assertThat(ex.refusals()).singleElement().satisfies((refusal) -> {
				assertThat(refusal.keys()).containsExactly("a", "b");
				assertThat(refusal.reason()).startsWith("Cloudflare KV refused the write: HTTP 400, code 10001:");
				assertThat(refusal.beforeSending()).isFalse();
			}));
		assertThatExceptionOfType(KvItemsRefusedException.class).isThrownBy(() -> target.delete(List.of("a", "b")))
			.satisfies((ex) -> assertThat(ex.refusals()).singleElement()
				.satisfies((refusal) -> assertThat(refusal.keys()).containsExactly("a", "b")));
		assertThat(this.kv.snapshot()).isEmpty();
	}

	@Test
	void aRefusalThatStillNamesUnsuccessfulKeysRefusesOnlyThem() {
		this.kv.server()
			.stubFor(putRequestedBulk().atPriority(1)
				.willReturn(aResponse().withStatus(400)
					.withBody("{\"success\":false,\"errors\":[{\"code\":10001,\"message\":\"Invalid value\"}],"
							+ "\"messages\":[],\"result\":{\"successful_key_count\":2,\"unsuccessful_keys\":[\"b\"]}}")));

		assertThatExceptionOfType(KvItemsRefusedException.class)
			.isThrownBy(() -> target().put(List.of(new PhysicalValue("a", "1", null), new PhysicalValue("b", "2", null),
					new PhysicalValue("c", "3", null))))
			.satisfies((ex) -> {
				assertThat(ex.refusals()).containsExactly(new KvItemsRefusedException.Refusal(List.of("b"),
						"Cloudflare KV refused the write: HTTP 400, code 10001: Invalid value", false));
				assertThat(ex.notStored()).isEmpty();
			});
	}

	@Test
	void aValueOfExactlyTwentyFiveMibIsSentAndStored() {
		// KV refuses a value over 25 MiB (the fake as Miniflare does, with an HTTP 413
		// that lists it); kvbatch's own check counts the same UTF-8 bytes.
		String largest = "x".repeat(25 * 1024 * 1024);

		assertThat(
				target().put(List.of(new PhysicalValue("a", "1", null), new PhysicalValue("largest", largest, null))))
			.isEmpty();

		assertThat(this.kv.snapshot()).containsOnlyKeys("a", "largest");
	}

	@Test
	void aRefusalForWhereTheRequestWentFailsTheCallInstead() {
		CloudflareProperties properties = new CloudflareProperties(FakeCloudflareKv.ACCOUNT, FakeCloudflareKv.TOKEN,
				"no-such-namespace", URI.create(this.kv.baseUrl()), Duration.ofSeconds(2), Duration.ofSeconds(5), 5,
				Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(6), 1200, Duration.ofMinutes(5),
				DataSize.ofMegabytes(100), null);

		assertThatExceptionOfType(KvRejectedException.class)
			.isThrownBy(() -> target(properties).put(List.of(new PhysicalValue("a", "1", null))))
			.isNotInstanceOf(KvItemsRefusedException.class)
			.withMessage("Cloudflare KV refused the write: HTTP 404, code 10013: namespace not found");
	}

	@Test
	void bulkGetReadsPlainValuesAndValuesWithMetadata() {
		KvTarget target = target();
		target.put(List.of(new PhysicalValue("a", "1", LATER), new PhysicalValue("b", "{\"n\":2}", null)));
		List<String> keys = List.of("a", "missing", "b");

		List<KvTarget.StoredValue> withMetadata = target.bulkGet(keys);
		this.kv.answerBulkGetInPlainForm();
		List<KvTarget.StoredValue> plain = target.bulkGet(keys);

		assertThat(withMetadata).containsExactly(new KvTarget.StoredValue("a", "1", LATER),
				new KvTarget.StoredValue("b", "{\"n\":2}", null));
		assertThat(plain).as("the plain form has no expirations")
			.containsExactly(new KvTarget.StoredValue("a", "1", null),
					new KvTarget.StoredValue("b", "{\"n\":2}", null));
	}

	@Test
	void bulkGetFailsOnAnAnswerOfAnotherShapeSayingWhy() {
		KvTarget target = target();
		target.put(List.of(new PhysicalValue("a", "1", null), new PhysicalValue("b", "2", null)));
		List<String> answers = List.of("[\"1\",\"2\"]", "{\"values\":{\"a\":\"1\"}}",
				"{\"values\":{\"a\":1,\"b\":\"2\"}}", "{\"values\":{\"a\":{\"metadata\":null},\"b\":null}}",
				"{\"values\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}}",
				"{\"values\":{\"a\":{\"value\":\"1\",\"expiration\":\"soon\"},\"b\":null}}");
		List<String> reasons = List.of("it has no \"values\" object", "it leaves out key \"b\"",
				"the value of key \"a\" is neither text, null, nor an object with a text \"value\"",
				"the value of key \"a\" is neither text, null, nor an object with a text \"value\"",
				"it holds key \"c\", which was not asked for", "the expiration of key \"a\" is not epoch seconds");

		for (int i = 0; i < answers.size(); i++) {
			var stub = this.kv.server()
				.stubFor(WireMock.post(BULK + "/get")
					.atPriority(1)
					.willReturn(aResponse().withStatus(200)
						.withBody(
								"{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + answers.get(i) + "}")));

			assertThatExceptionOfType(KvProtocolException.class).isThrownBy(() -> target.bulkGet(List.of("a", "b")))
				.withMessageStartingWith(
						"Cloudflare KV answered a bulk read (POST /bulk/get) in a form kvbatch does not"
								+ " understand: " + reasons.get(i) + "; the answer began ");
			this.kv.server().removeStub(stub);
		}
	}

	@Test
	void bulkGetOfValuesOverTwentyFiveMibInAllIsRefusedAsTooLarge() {
		KvTarget target = target();
		String tenMib = "x".repeat(10 * 1024 * 1024);
		target.put(List.of(new PhysicalValue("a", tenMib, null), new PhysicalValue("b", tenMib, null),
				new PhysicalValue("c", tenMib, null)));

		assertThatExceptionOfType(KvAnswerTooLargeException.class)
			.isThrownBy(() -> target.bulkGet(List.of("a", "b", "c")))
			.withMessageContaining("HTTP 413");
	}

	@Test
	void listFailsOnAnAnswerThatIsNotAListOfKeys() {
		stubPage("limit=1000", "{\"keys\":[{\"name\":\"a\"}]}", "");

		assertThatExceptionOfType(KvProtocolException.class).isThrownBy(() -> target().list("", null, 1000))
			.withMessageStartingWith("Cloudflare KV answered a list (GET /keys) in a form kvbatch does not understand:"
					+ " its result is not a list");
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
				Duration.ofSeconds(4), Duration.ofMinutes(6), 1200, Duration.ofMinutes(5), maxRequestSize, null);
	}

	private KvTarget target() {
		return target(properties(Duration.ofSeconds(5), DataSize.ofMegabytes(100)));
	}

	private KvTarget target(CloudflareProperties properties) {
		return CloudflareKvTarget.create(properties, RestClient.builder(), JSON, this.clock, this.clock.sleeper());
	}

}
