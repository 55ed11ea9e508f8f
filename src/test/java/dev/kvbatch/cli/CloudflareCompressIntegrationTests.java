package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stage} then {@code run compress} through the command line with
 * {@code kvbatch.target=cloudflare}, against a fake KV namespace served over HTTP by
 * WireMock.
 */
@ExtendWith(OutputCaptureExtension.class)
class CloudflareCompressIntegrationTests {

	private static final String SMALL_CHUNKS = "--kvbatch.compress.chunk-size=10";

	private static final String BULK = FakeCloudflareKv.NAMESPACE_PATH + "/bulk";

	@TempDir
	Path tmp;

	private FakeCloudflareKv kv;

	@BeforeEach
	void startKv() {
		this.kv = FakeCloudflareKv.startServer();
	}

	@AfterEach
	void stopKv() {
		this.kv.stopServer();
	}

	@Test
	void compressEndsWithCloudflareHoldingWhatTheEmbeddedTargetHolds() throws IOException {
		CliRun local = new CliRun(this.tmp.resolve("local"));
		CliRun cloudflare = new CliRun(this.tmp.resolve("cloudflare"), NoSleepConfiguration.class);
		Path first = file("first.jsonl", firstDay());
		Path second = file("second.jsonl", secondDay());

		for (Path input : List.of(first, second)) {
			assertThat(local.run("stage", input.toString()).exitCode()).isZero();
			assertThat(cloudflare.run("stage", input.toString()).exitCode()).isZero();
			CliRun.Result localRun = local.run("run", "compress", SMALL_CHUNKS);
			CliRun.Result cloudRun = cloudflare.run(withCloudflare("run", "compress", SMALL_CHUNKS));
			assertThat(cloudRun.exitCode()).as(cloudRun.toString()).isZero();
			assertThat(kvLine(cloudRun.out())).isEqualTo(kvLine(localRun.out()));
		}

		String expected = local.run("kv", "list", "--json").out();
		assertThat(expected.lines()).hasSize(62);
		assertThat(asJsonLines(this.kv.snapshot())).isEqualTo(expected);
		CliRun.Result listed = cloudflare.run(withCloudflare("kv", "list", "--json"));
		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.out()).isEqualTo(expected);
		assertThat(cloudflare.run(withCloudflare("kv", "get", "dir/file:7")).out())
			.isEqualTo(local.run("kv", "get", "dir/file:7").out())
			.isEqualTo("{\"n\":7}\n");
	}

	@Test
	void spentDailyQuotaStopsWritesUntilMidnightUtcAndTheRunStillCompletes() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class, FixedClockConfiguration.class);
		String dayOne = "--test.now=2026-11-24T10:00:00Z";
		cli.run("stage",
				file("input.jsonl",
						"{\"op\":\"put\",\"key\":\"k1\",\"value\":1}\n" + "{\"op\":\"put\",\"key\":\"k2\",\"value\":2}")
					.toString(),
				dayOne);
		var quota = this.kv.server()
			.stubFor(WireMock.put(BULK)
				.atPriority(1)
				.willReturn(aResponse().withStatus(429)
					.withHeader("Content-Type", "application/json")
					.withBody(FakeCloudflareKv.errorBody(10048,
							"your account has reached the free usage limit for this operation for today"))));

		CliRun.Result refused = cli.run(withCloudflare("run", "compress", dayOne));
		this.kv.server().resetRequests();
		CliRun.Result laterThatDay = cli.run(withCloudflare("run", "compress", "--test.now=2026-11-24T23:59:59Z"));

		assertThat(refused.exitCode()).as(refused.toString()).isZero();
		assertThat(refused.out()).contains("(0 sent, 0 deleted, 0 unchanged, 0 left dirty, 2 deferred by the budget)");
		assertThat(laterThatDay.out()).contains("2 deferred by the budget");
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).as("no write is tried again today")
			.isEmpty();
		this.kv.server().removeStub(quota);

		CliRun.Result nextDay = cli.run(withCloudflare("run", "compress", "--test.now=2026-11-25T00:00:01Z"));

		assertThat(nextDay.out()).contains("(2 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget)");
		assertThat(this.kv.snapshot()).containsOnlyKeys("k1", "k2");
	}

	@Test
	void keysReportedUnsuccessfulStayDirtyAndOnlyTheyAreSentAgain() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class);
		cli.run("stage",
				file("input.jsonl",
						IntStream.range(1, 6)
							.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"k%d\",\"value\":%d}".formatted(i, i))
							.collect(Collectors.joining("\n")))
					.toString());
		this.kv.failOnce("k2", "k4");

		CliRun.Result first = cli.run(withCloudflare("run", "compress"));

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).contains("(3 sent, 0 deleted, 0 unchanged, 2 left dirty, 0 deferred by the budget)")
			.as("KV bills the keys it did not store too")
			.contains("KV       5 writes");
		assertThat(this.kv.snapshot()).containsOnlyKeys("k1", "k3", "k5");
		this.kv.server().resetRequests();

		CliRun.Result second = cli.run(withCloudflare("run", "compress"));

		assertThat(second.out()).contains("(2 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget)");
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).singleElement()
			.extracting((put) -> JsonMapper.builder().build().readTree(put.getBody()).findValuesAsString("key"))
			.isEqualTo(List.of("k2", "k4"));
		assertThat(this.kv.snapshot()).containsOnlyKeys("k1", "k2", "k3", "k4", "k5");
	}

	@Test
	void aKeyKvRefusesIsSetAsideAsADeadLetterWhileTheOthersAreWrittenAndIsNotSentAgain() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class);
		cli.run("stage", file("input.jsonl", IntStream.range(0, 15)
			.mapToObj(
					(i) -> "{\"op\":\"put\",\"key\":\"%s\",\"value\":%d}".formatted((i == 6) ? "bad-key" : "k" + i, i))
			.collect(Collectors.joining("\n"))).toString());
		this.kv.refuse("bad-key");

		CliRun.Result first = cli.run(withCloudflare("run", "compress"));

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).contains("(14 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget,"
				+ " 1 refused by KV and set aside as dead letters)");
		assertThat(this.kv.snapshot()).hasSize(14).doesNotContainKey("bad-key");
		assertThat(TableRows.deadLetters(this.tmp.resolve("data"))).containsExactly(
				"flush:0 key: KV refused physical key \"bad-key\" (rule direct): Cloudflare KV refused the write:"
						+ " HTTP 400, code 10001: Invalid key \"bad-key\" (refused by the test)");
		// 15 keys, halves of 7 and 8 (one refused), then 4, 2 and 1 around the bad key.
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).hasSize(1 + 2 + 2 + 2 + 2);
		this.kv.server().resetRequests();

		CliRun.Result second = cli.run(withCloudflare("run", "compress"));

		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.out()).contains("(0 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget)");
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).isEmpty();
		CliRun.Result report = cli.run("report", "--date", java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString(),
				"--format", "json");
		assertThat(JsonMapper.builder().build().readTree(report.out()).path("deadLetters").path("created").asLong())
			.isEqualTo(1);
	}

	@Test
	void anEntryStagedWithTheMinimumTtlFailsNothingWhenTheRequestLandsASecondLater() throws IOException {
		this.kv.stopServer();
		java.time.Instant staged = java.time.Instant.parse("2026-11-24T10:00:00Z");
		// KV's clock is a second ahead of kvbatch's when the request lands.
		this.kv = FakeCloudflareKv.startServer(java.time.Clock.fixed(staged.plusSeconds(6), java.time.ZoneOffset.UTC));
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class, FixedClockConfiguration.class);
		String lines = IntStream.range(0, 14)
			.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"k%d\",\"value\":%d,\"ttl\":86400}".formatted(i, i))
			.collect(Collectors.joining("\n"));
		cli.run("stage",
				file("input.jsonl", lines + "\n{\"op\":\"put\",\"key\":\"brief\",\"value\":1,\"ttl\":60}").toString(),
				"--test.now=" + staged);

		CliRun.Result run = cli.run(withCloudflare("run", "compress", "--test.now=" + staged.plusSeconds(5)));

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(15 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget)");
		assertThat(this.kv.snapshot()).hasSize(15)
			.containsEntry("brief", new FakeCloudflareKv.Stored("1", staged.plusSeconds(6 + 60).getEpochSecond()))
			.containsEntry("k0", new FakeCloudflareKv.Stored("0", staged.plusSeconds(86400).getEpochSecond()));
	}

	@Test
	void anEntryThatExpiresBeforeARequestCouldLandIsNotSent() throws IOException {
		this.kv.stopServer();
		java.time.Instant staged = java.time.Instant.parse("2026-11-24T10:00:00Z");
		this.kv = FakeCloudflareKv.startServer(java.time.Clock.fixed(staged.plusSeconds(55), java.time.ZoneOffset.UTC));
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class, FixedClockConfiguration.class);
		cli.run("stage", file("input.jsonl", "{\"op\":\"put\",\"key\":\"brief\",\"value\":1,\"ttl\":60}\n"
				+ "{\"op\":\"put\",\"key\":\"k\",\"value\":2}")
			.toString(), "--test.now=" + staged);

		CliRun.Result run = cli.run(withCloudflare("run", "compress", "--test.now=" + staged.plusSeconds(55)));

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(1 sent, 0 deleted, 1 unchanged, 0 left dirty, 0 deferred by the budget)");
		assertThat(this.kv.snapshot()).containsOnlyKeys("k");
	}

	@Test
	void aKeyRewrittenWithEntriesThatExpireBeforeARequestCouldLandIsDeletedNotLeftStale() throws IOException {
		this.kv.stopServer();
		java.time.Instant first = java.time.Instant.parse("2026-11-24T10:00:00Z");
		java.time.Instant later = first.plusSeconds(3600);
		this.kv = FakeCloudflareKv.startServer(java.time.Clock.fixed(later.plusSeconds(55), java.time.ZoneOffset.UTC));
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class, FixedClockConfiguration.class);
		cli.run("stage", file("first.jsonl", "{\"op\":\"put\",\"key\":\"k\",\"value\":1}").toString(),
				"--test.now=" + first);
		cli.run(withCloudflare("run", "compress", "--test.now=" + first));
		cli.run("stage", file("later.jsonl", "{\"op\":\"put\",\"key\":\"k\",\"value\":2,\"ttl\":60}").toString(),
				"--test.now=" + later);

		CliRun.Result run = cli.run(withCloudflare("run", "compress", "--test.now=" + later.plusSeconds(55)));

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(0 sent, 1 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget)");
		assertThat(this.kv.snapshot()).as("KV no longer holds the value staged before").isEmpty();
	}

	@Test
	void kvListJsonReadsPlainBulkAnswersWithTheListedExpirationsAndPagesPastTwentyFiveMib() throws IOException {
		String nineMib = "x".repeat(9 * 1024 * 1024);
		for (int i = 0; i < 3; i++) {
			this.kv.seed("big-" + i, nineMib, 4_000_000_000L);
		}
		for (int i = 0; i < 48; i++) {
			this.kv.seed("small-%02d".formatted(i), "{\"n\":%d}".formatted(i),
					(i % 2 == 0) ? null : 4_000_000_000L + i);
		}
		this.kv.answerBulkGetInPlainForm();
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class);

		CliRun.Result listed = cli.run(withCloudflare("kv", "list", "--json"));

		assertThat(listed.exitCode()).as(listed.err()).isZero();
		assertThat(listed.out()).isEqualTo(asJsonLines(this.kv.snapshot()));
		assertThat(listed.out().lines()).hasSize(51);
	}

	@Test
	void kvListJsonFailsClearlyOnABulkAnswerItDoesNotUnderstand() throws IOException {
		this.kv.seed("a", "1", null);
		this.kv.server()
			.stubFor(WireMock.post(BULK + "/get")
				.atPriority(1)
				.willReturn(aResponse().withStatus(200)
					.withBody("{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"values\":[\"1\"]}}")));
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class);

		CliRun.Result listed = cli.run(withCloudflare("kv", "list", "--json"));

		assertThat(listed.exitCode()).isEqualTo(ExitCodes.FAILED);
		assertThat(listed.out()).isEmpty();
		assertThat(listed.err()).startsWith("kvbatch: Cloudflare KV answered a bulk read (POST /bulk/get) in a form"
				+ " kvbatch does not understand: it has no \"values\" object");
	}

	@Test
	void pointsAtANamespaceUrlWithoutAnAccount() throws IOException {
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class);
		cli.run("stage", file("input.jsonl", "{\"op\":\"put\",\"key\":\"a\",\"value\":1}").toString());

		CliRun.Result run = cli.run("run", "compress", "--kvbatch.target=cloudflare",
				"--kvbatch.cloudflare.account-id=", "--kvbatch.cloudflare.api-token=" + FakeCloudflareKv.TOKEN,
				"--kvbatch.cloudflare.namespace-url=" + this.kv.namespaceUrl());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(this.kv.snapshot()).containsOnlyKeys("a");
	}

	@Test
	void refusedTokenIsAConfigurationErrorNamingThePermission(CapturedOutput output) throws IOException {
		String token = "wrong-T0KEN-must-stay-secret";
		this.kv.server()
			.stubFor(WireMock.any(WireMock.urlPathMatching(".*"))
				.atPriority(1)
				.willReturn(aResponse().withStatus(401)
					.withBody(FakeCloudflareKv.errorBody(10000, "Authentication error: bad token " + token))));
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class);
		cli.run("stage", file("input.jsonl", "{\"op\":\"put\",\"key\":\"a\",\"value\":1}").toString());

		CliRun.Result run = cli.run(withToken(token, "run", "compress", "--logging.level.org.springframework.web=DEBUG",
				"--logging.level.org.springframework.core.retry=DEBUG", "--logging.level.dev.kvbatch=DEBUG"));
		CliRun.Result get = cli.run(withToken(token, "kv", "get", "a"));

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err())
			.isEqualTo("kvbatch: Cloudflare refused the API token for a KV write (HTTP 401, code 10000:"
					+ " Authentication error: bad token [token]): it needs the \"Workers KV Storage Write\" permission on"
					+ " account " + FakeCloudflareKv.ACCOUNT + "\n");
		assertThat(get.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(get.err()).contains("\"Workers KV Storage Read\"");
		assertThat(List.of(run.out(), run.err(), get.out(), get.err(), output.getAll()))
			.allSatisfy((text) -> assertThat(text).doesNotContain(token));
	}

	@Test
	void serverErrorsFailTheRunRestartablyWithoutPrintingTheToken(CapturedOutput output) throws IOException {
		this.kv.server()
			.stubFor(WireMock.put(BULK)
				.atPriority(1)
				.willReturn(aResponse().withStatus(500)
					.withBody("<html>oops for Bearer " + FakeCloudflareKv.TOKEN + "</html>")));
		CliRun cli = new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class);
		cli.run("stage", file("input.jsonl", "{\"op\":\"put\",\"key\":\"a\",\"value\":1}").toString());

		CliRun.Result run = cli.run(withCloudflare("run", "compress", "--logging.level.org.springframework.web=DEBUG",
				"--logging.level.org.springframework.core.retry=DEBUG", "--logging.level.dev.kvbatch=DEBUG"));

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(run.err()).contains("Cloudflare KV write (PUT /bulk) failed 6 times, giving up for now: HTTP 500",
				"kvbatch restart 1");
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(BULK)))).hasSize(6);
		assertThat(List.of(run.out(), run.err(), output.getAll()))
			.allSatisfy((text) -> assertThat(text).doesNotContain(FakeCloudflareKv.TOKEN));
		this.kv.server().resetMappings();
		this.kv.server()
			.stubFor(WireMock.any(WireMock.urlPathMatching(FakeCloudflareKv.NAMESPACE_PATH + "/.*"))
				.willReturn(aResponse().withTransformers("fake-cloudflare-kv")));

		CliRun.Result restart = cli.run(withCloudflare("restart", "--last", "compress"));

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(this.kv.snapshot()).containsOnlyKeys("a");
	}

	@Test
	void missingCloudflareSettingsAreAConfigurationError() {
		CliRun.Result run = new CliRun(this.tmp.resolve("data")).run("kv", "list", "--kvbatch.target=cloudflare",
				"--kvbatch.cloudflare.account-id=", "--kvbatch.cloudflare.api-token=",
				"--kvbatch.cloudflare.namespace-id=");

		assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).isEqualTo("kvbatch: kvbatch.target=cloudflare needs kvbatch.cloudflare.account-id"
				+ " (CLOUDFLARE_ACCOUNT_ID), kvbatch.cloudflare.api-token (CLOUDFLARE_API_TOKEN),"
				+ " kvbatch.cloudflare.namespace-id (KVBATCH_CLOUDFLARE_NAMESPACE_ID)\n");
	}

	private String[] withCloudflare(String... args) {
		return withToken(FakeCloudflareKv.TOKEN, args);
	}

	private String[] withToken(String token, String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--kvbatch.target=cloudflare");
		all.add("--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT);
		all.add("--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE);
		all.add("--kvbatch.cloudflare.api-token=" + token);
		all.add("--kvbatch.cloudflare.base-url=" + this.kv.baseUrl());
		return all.toArray(String[]::new);
	}

	private Path file(String name, String lines) throws IOException {
		return Files.writeString(this.tmp.resolve(name), lines + "\n", StandardCharsets.UTF_8);
	}

	private static String kvLine(String out) {
		return out.lines().filter((line) -> line.startsWith("  KV ")).findFirst().orElse("");
	}

	/** The fake's content in the form of {@code kv list --json}. */
	private static String asJsonLines(Map<String, FakeCloudflareKv.Stored> keys) {
		JsonMapper json = JsonMapper.builder().build();
		StringBuilder lines = new StringBuilder();
		keys.forEach((key, stored) -> {
			Map<String, Object> line = new java.util.LinkedHashMap<>();
			line.put("key", key);
			line.put("value", stored.value());
			line.put("expiration", stored.expiration());
			lines.append(json.writeValueAsString(line)).append('\n');
		});
		return lines.toString();
	}

	/**
	 * 60 direct keys (some needing percent-encoding), 3 device maps, webhooks for two
	 * days and a counter.
	 */
	private static String firstDay() {
		String direct = IntStream.range(0, 60)
			.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"%s\",\"value\":{\"n\":%d},\"expiration\":4000000000}"
				.formatted((i % 10 == 7) ? "dir/file:" + i : "album-%02d".formatted(i), i))
			.collect(Collectors.joining("\n"));
		String maps = IntStream.range(0, 30)
			.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"mobile-mapping:dev%d:task%d\",\"value\":%d}".formatted(i % 3, i,
					i))
			.collect(Collectors.joining("\n"));
		String webhooks = """
				{"op":"put","key":"webhook-delivery:d1","value":1,"at":"2026-11-20T10:00:00Z"}
				{"op":"put","key":"webhook-delivery:d2","value":"ünï","at":"2026-11-21T10:00:00Z"}""";
		return direct + "\n" + maps + "\n" + webhooks + "\n{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1}";
	}

	/** Deletes some direct keys, empties one device map, changes another. */
	private static String secondDay() {
		String deletes = IntStream.range(0, 5)
			.mapToObj((i) -> "{\"op\":\"delete\",\"key\":\"album-%02d\"}".formatted(i))
			.collect(Collectors.joining("\n"));
		String emptied = IntStream.range(0, 30)
			.filter((i) -> i % 3 == 0)
			.mapToObj((i) -> "{\"op\":\"delete\",\"key\":\"mobile-mapping:dev0:task%d\"}".formatted(i))
			.collect(Collectors.joining("\n"));
		return deletes + "\n" + emptied + "\n{\"op\":\"put\",\"key\":\"mobile-mapping:dev1:task1\",\"value\":\"new\"}"
				+ "\n{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":2}";
	}

}
