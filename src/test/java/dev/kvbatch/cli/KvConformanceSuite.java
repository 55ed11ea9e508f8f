package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The conformance suite: the packaged kvbatch, as users run it, against a KV namespace
 * served over the REST API, checked through that API alone ({@link KvNamespaceClient}).
 * It runs against Miniflare's Local Explorer, Cloudflare's own implementation of the API
 * ({@link MiniflareConformanceIT}), and against the WireMock fake the other tests use
 * ({@link FakeKvConformanceIT}), so that the fake cannot drift from what KV does.
 *
 * <p>
 * Each case stages with the command line in this JVM (staging never touches the target),
 * and runs every job and {@code kv} command in a new JVM of the packaged jar. A case that
 * needs KV to answer what it never answers by itself (refuse an item kvbatch checked, or
 * send a bulk read of an unknown shape) goes through a WireMock proxy in front of the
 * server that changes that one answer and forwards everything else.
 *
 * <p>
 * Where Miniflare differs from Cloudflare's documented API (it checks no token, answers
 * for any namespace id, has no {@code metadata} route and sends no {@code expiration}
 * header on a read), the cases that need the documented behaviour run on the fake only;
 * each subclass says so in a test of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KvConformanceSuite {

	/** The fake checks it; Miniflare takes any. */
	static final String TOKEN = FakeCloudflareKv.TOKEN;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int MIB = 1024 * 1024;

	private PackagedKvbatch kvbatch;

	private WireMockServer proxy;

	/** Scheme, host and port of the server. */
	abstract String root();

	/** The namespace's path on the server. */
	abstract String namespacePath();

	/** The settings that point kvbatch at the namespace on a server with this root. */
	abstract Map<String, String> settings(String root);

	@BeforeAll
	void prepareKvbatchAndProxy(@TempDir Path dir) throws Exception {
		this.kvbatch = PackagedKvbatch.prepare(dir);
		this.proxy = new WireMockServer(WireMockConfiguration.options().dynamicPort());
		this.proxy.start();
	}

	@AfterAll
	void stopProxy() {
		this.proxy.stop();
	}

	@BeforeEach
	void startFromAnEmptyNamespace() {
		namespace().clear();
		this.proxy.resetAll();
		this.proxy.stubFor(WireMock.any(WireMock.anyUrl()).atPriority(10).willReturn(forward()));
	}

	@Test
	void aSeedShapedDayInHourlyCompressesLeavesTheNamespaceAsTheEmbeddedTargetHoldsIt(@TempDir Path tmp)
			throws Exception {
		CliRun local = new CliRun(tmp.resolve("local"));
		Path data = tmp.resolve("kv");
		ExampleDay day = new ExampleDay(LocalDate.now(ZoneOffset.UTC).minusDays(1));

		for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
			stageBoth(local, data, tmp.resolve("hour-%02d.jsonl".formatted(hour)), String.join("\n", day.hour(hour)));
			CliRun.Result expected = local.run("run", "compress");
			CliRun.Result run = kvbatch(data, "run", "compress");

			assertThat(run.exitCode()).as("hour %d: %s", hour, run).isZero();
			assertThat(kvLine(run.out())).as("hour %d sends what the embedded target was sent", hour)
				.isEqualTo(kvLine(expected.out()));
		}

		String expected = local.run("kv", "list", "--json").out();
		assertThat(expected.lines()).hasSizeGreaterThan(20);
		assertThat(namespace().asJsonLines()).as("every key, value and expiration").isEqualTo(expected);
		CliRun.Result listed = kvbatch(data, "kv", "list", "--json");
		assertThat(listed.exitCode()).as(listed.err()).isZero();
		assertThat(listed.out()).isEqualTo(expected);
		for (String key : List.of("__counter", "mobile-batch:iphone-anna", "sync-state:batch")) {
			CliRun.Result got = kvbatch(data, "kv", "get", key);
			assertThat(got.exitCode()).as(got.err()).isZero();
			assertThat(got.out()).isEqualTo(local.run("kv", "get", key).out());
		}

		CliRun.Result prune = kvbatch(data, "run", "prune");

		assertThat(prune.exitCode()).as(prune.toString()).isZero();
		assertThat(kvLine(prune.out())).as("nothing of the day has expired")
			.isEqualTo("  KV       0 writes, 0 deletes, 0 lists, 0 reads");
		assertThat(namespace().asJsonLines()).isEqualTo(expected);
	}

	@Test
	void keysNeedingPercentEncodingAndOfFiveHundredTwelveBytesKeepEveryByteAndTheirAbsoluteExpirations(
			@TempDir Path tmp) throws Exception {
		long now = Instant.now().getEpochSecond();
		Map<String, @Nullable Long> keys = new LinkedHashMap<>();
		keys.put("dir/a?b#c%d e", now + 7200);
		keys.put("ünïcödé 🎉/x", now + 3 * 86_400);
		keys.put("plus+and&amp=eq", null);
		keys.put("long:" + "é".repeat(253) + "x", now + 86_400);
		assertThat(keys.keySet())
			.allSatisfy((key) -> assertThat(key.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(512));
		Path data = tmp.resolve("kv");
		stage(data, tmp.resolve("keys.jsonl"), keys.entrySet().stream().map((entry) -> {
			Map<String, Object> line = new LinkedHashMap<>();
			line.put("op", "put");
			line.put("key", entry.getKey());
			line.put("value", Map.of("key", entry.getKey()));
			if (entry.getValue() != null) {
				line.put("expiration", entry.getValue());
			}
			return JSON.writeValueAsString(line);
		}).collect(Collectors.joining("\n")));

		CliRun.Result run = kvbatch(data, "run", "compress");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(namespace().list("")).as("keys byte for byte, with their absolute expirations")
			.containsExactlyInAnyOrderEntriesOf(keys);
		for (String key : keys.keySet()) {
			String value = JSON.writeValueAsString(Map.of("key", key));
			assertThat(namespace().value(key)).isEqualTo(value);
			CliRun.Result got = kvbatch(data, "kv", "get", key);
			assertThat(got.exitCode()).as(got.err()).isZero();
			assertThat(got.out()).isEqualTo(value + "\n");
		}
		CliRun.Result listed = kvbatch(data, "kv", "list", "--json");
		assertThat(listed.out()).isEqualTo(namespace().asJsonLines());
	}

	@Test
	void theMinimumTtlAmongFourteenOthersFailsNothingAndPruneForgetsWhatKvExpiredWithoutADelete(@TempDir Path tmp)
			throws Exception {
		long now = Instant.now().getEpochSecond();
		long tomorrow = now + 86_400;
		// A value of 25 MiB as JSON text, two of 13 MiB: no bulk read may carry them all.
		Map<String, String> values = new LinkedHashMap<>();
		values.put("big", "\"" + "x".repeat(25 * MIB - 2) + "\"");
		values.put("half-1", "\"" + "y".repeat(13 * MIB) + "\"");
		values.put("half-2", "\"" + "z".repeat(13 * MIB) + "\"");
		IntStream.range(0, 11).forEach((i) -> values.put("small-%02d".formatted(i), "{\"n\":%d}".formatted(i)));
		Path data = tmp.resolve("kv");
		String others = values.entrySet()
			.stream()
			.map((entry) -> "{\"op\":\"put\",\"key\":\"%s\",\"value\":%s,\"expiration\":%d}".formatted(entry.getKey(),
					entry.getValue(), tomorrow))
			.collect(Collectors.joining("\n"));
		stage(data, tmp.resolve("input.jsonl"), others + "\n{\"op\":\"put\",\"key\":\"brief\",\"value\":1,\"ttl\":60}");
		long staged = Instant.now().getEpochSecond();

		CliRun.Result run = kvbatch(data, "run", "compress");
		long ended = Instant.now().getEpochSecond();

		assertThat(run.exitCode()).as(run.toString()).isZero();
		Map<String, @Nullable Long> listed = namespace().list("");
		Map<String, Long> othersExpire = new HashMap<>();
		values.keySet().forEach((key) -> othersExpire.put(key, tomorrow));
		assertThat(listed).containsAllEntriesOf(othersExpire);
		assertThat(namespace().value("big")).hasSize(25 * MIB);
		boolean sent = listed.containsKey("brief");
		if (sent) {
			assertThat(run.out()).contains("(15 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget)");
			assertThat(listed.get("brief")).as("KV's minimum TTL, counted from when the request landed")
				.isBetween(staged + 60, ended + 60);
		}
		else {
			assertThat(ended - now).as("an entry is left out only when it expires before a request can land")
				.isGreaterThanOrEqualTo(50);
			assertThat(run.out()).contains("(14 sent, 0 deleted, 1 unchanged, 0 left dirty");
		}

		CliRun.Result all = kvbatch(data, "kv", "list", "--json");

		assertThat(all.exitCode()).as("bulk reads of 51 MiB in all, paged under 25 MiB: %s", all.err()).isZero();
		assertThat(all.out().lines().map((line) -> JSON.readTree(line).path("key").asString()))
			.containsExactlyInAnyOrderElementsOf(listed.keySet());
		assertThat(all.out().lines().filter((line) -> line.startsWith("{\"key\":\"big\"")).findFirst().orElseThrow())
			.hasSizeGreaterThan(25 * MIB);

		if (sent) {
			await("KV expires the brief key").atMost(Duration.ofMinutes(3))
				.pollInterval(Duration.ofSeconds(2))
				.until(() -> !namespace().list("").containsKey("brief"));
		}
		CliRun.Result prune = kvbatch(data, "run", "prune");

		assertThat(prune.exitCode()).as(prune.toString()).isZero();
		assertThat(kvLine(prune.out())).as("KV expired it for free: no delete")
			.isEqualTo("  KV       0 writes, 0 deletes, 0 lists, 0 reads");
		assertThat(TableRows.rows(data, "SELECT physical_key FROM kv_physical WHERE physical_key = 'brief'"))
			.as("kvbatch forgot what KV no longer holds")
			.isEmpty();
		assertThat(namespace().list("")).containsOnlyKeys(values.keySet());
	}

	@Test
	void anItemKvRefusesIsSetAsideWithItsReasonWhileTheOthersAreWritten(@TempDir Path tmp) throws Exception {
		String refusal = "Invalid key name \"refused-by-kv\": the suite's proxy refuses it as KV refuses an invalid"
				+ " item, since KV refuses nothing that kvbatch lets through";
		this.proxy.stubFor(WireMock.put(WireMock.urlPathEqualTo(namespacePath() + "/bulk"))
			.withRequestBody(WireMock.containing("\"key\":\"refused-by-kv\""))
			.atPriority(1)
			.willReturn(WireMock.aResponse()
				.withStatus(400)
				.withHeader("Content-Type", "application/json")
				.withBody(FakeCloudflareKv.errorBody(10001, refusal))));
		Path data = tmp.resolve("kv");
		stage(data, tmp.resolve("input.jsonl"),
				IntStream.range(0, 15)
					.mapToObj((i) -> "{\"op\":\"put\",\"key\":\"%s\",\"value\":%d}"
						.formatted((i == 9) ? "refused-by-kv" : "key-%02d".formatted(i), i))
					.collect(Collectors.joining("\n")));

		CliRun.Result run = kvbatchThroughProxy(data, "run", "compress");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(14 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred by the budget,"
				+ " 1 refused by KV and set aside as dead letters)");
		assertThat(namespace().list("")).hasSize(14).doesNotContainKey("refused-by-kv");
		assertThat(TableRows.deadLetters(data)).containsExactly("flush:0 key: KV refused physical key \"refused-by-kv\""
				+ " (rule direct): Cloudflare KV refused the write: HTTP 400, code 10001: " + refusal);

		CliRun.Result again = kvbatch(data, "run", "compress");
		CliRun.Result report = kvbatch(data, "report", "--date", LocalDate.now(ZoneOffset.UTC).toString(), "--format",
				"json");

		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(kvLine(again.out())).as("the parked key is not sent again")
			.isEqualTo("  KV       0 writes, 0 deletes, 0 lists, 0 reads");
		assertThat(report.exitCode()).as(report.toString()).isZero();
		assertThat(JSON.readTree(report.out()).path("deadLetters").path("created").asLong()).isEqualTo(1);
	}

	@Test
	void migrateListsThousandsOfLegacyKeysPageByPageAndPacksThemWithTheirExpirations(@TempDir Path tmp)
			throws Exception {
		Legacy legacy = seedLegacyKeys(1005, 30);
		Path data = tmp.resolve("kv");

		CliRun.Result run = kvbatch(data, "run", "migrate", "at=2026-11-20");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(loaded 1,035, rejected 0, skipped 0)")
			.as("1,005 hash keys in two list calls, one for each other rule")
			.contains("KV       6 writes, 0 deletes, 5 lists, 1,035 reads");
		assertPacked(legacy);
		CliRun.Result verified = kvbatch(data, "migrate", "verify");
		assertThat(verified.exitCode()).as(verified.toString()).isZero();
		assertThat(verified.out()).isEqualTo("verified 1,035 migrated keys: 0 mismatched\n");

		CliRun.Result listed = kvbatchThroughProxy(data, "kv", "list", "--prefix", "hash:");

		assertThat(listed.out().lines()).hasSize(1005);
		assertThat(this.proxy.findAll(WireMock.getRequestedFor(WireMock.urlPathEqualTo(namespacePath() + "/keys"))))
			.as("two list calls for 1,005 keys")
			.hasSize(2);
	}

	@Test
	void aBulkReadOfAnUnexpectedShapeFailsMigrateClearlyAndTheRestartLoadsEveryKeyOnce(@TempDir Path tmp)
			throws Exception {
		Legacy legacy = seedLegacyKeys(0, 350);
		String bulkGet = namespacePath() + "/bulk/get";
		for (int i = 0; i < 3; i++) {
			ResponseDefinitionBuilder answer = (i < 2) ? forward()
					: WireMock.aResponse()
						.withStatus(200)
						.withHeader("Content-Type", "application/json")
						.withBody("{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"values\":[]}}");
			this.proxy.stubFor(WireMock.post(WireMock.urlPathEqualTo(bulkGet))
				.atPriority(1)
				.inScenario("reads")
				.whenScenarioStateIs((i == 0) ? Scenario.STARTED : "read-" + i)
				.willSetStateTo("read-" + (i + 1))
				.willReturn(answer));
		}
		Path data = tmp.resolve("kv");

		CliRun.Result failed = kvbatchThroughProxy(data, "run", "migrate", "at=2026-11-20");
		CliRun.Result restarted = kvbatchThroughProxy(data, "restart", "--last", "migrate");

		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(ExitCodes.FAILED);
		// Each at the start of a line, whatever is printed before them.
		assertThat("\n" + failed.err())
			.contains("\nkvbatch: Cloudflare KV answered a bulk read (POST /bulk/get) in a form"
					+ " kvbatch does not understand: it has no \"values\" object; the answer began {\"values\":[]}.",
					"\nkvbatch: restart with: kvbatch restart ");
		assertThat(failed.out()).contains("(loaded 200, rejected 0, skipped 0)");
		assertThat(restarted.exitCode()).as(restarted.toString()).isZero();
		assertThat(restarted.out()).as("the restart reads each key it had not loaded, once")
			.contains("load     read 150, written 150 (loaded 350, rejected 0, skipped 0)");
		assertPacked(legacy);
		CliRun.Result verified = kvbatch(data, "migrate", "verify");
		assertThat(verified.out()).isEqualTo("verified 350 migrated keys: 0 mismatched\n");
	}

	/** Runs the packaged kvbatch on a data folder, pointed at the server. */
	CliRun.Result kvbatch(Path data, String... args) throws IOException, InterruptedException {
		return this.kvbatch.run(environment(data, root()), args);
	}

	/**
	 * Runs the packaged kvbatch on a data folder, pointed at the server, with some
	 * settings changed.
	 */
	CliRun.Result kvbatch(Path data, Map<String, String> changed, String... args)
			throws IOException, InterruptedException {
		Map<String, String> environment = environment(data, root());
		environment.putAll(changed);
		return this.kvbatch.run(environment, args);
	}

	/**
	 * Runs the packaged kvbatch on a data folder, pointed at the proxy in front of the
	 * server.
	 */
	CliRun.Result kvbatchThroughProxy(Path data, String... args) throws IOException, InterruptedException {
		return this.kvbatch.run(environment(data, this.proxy.baseUrl()), args);
	}

	/** The suite's own client of the namespace, straight to the server. */
	KvNamespaceClient namespace() {
		return new KvNamespaceClient(root() + namespacePath(), TOKEN);
	}

	private Map<String, String> environment(Path data, String root) {
		Map<String, String> environment = new HashMap<>(settings(root));
		environment.put("KVBATCH_TARGET", "cloudflare");
		environment.put("KVBATCH_DATA_DIR", data.toString());
		environment.put("KVBATCH_JOBS_DIR", CliRun.noJobsDir(data).toString());
		return environment;
	}

	private ResponseDefinitionBuilder forward() {
		return WireMock.aResponse().proxiedFrom(root());
	}

	/** Stages the lines into a data folder's spool, as {@code kvbatch stage} does. */
	static void stage(Path data, Path file, String lines) throws IOException {
		Files.writeString(file, lines + "\n", StandardCharsets.UTF_8);
		CliRun.Result staged = new CliRun(data).run("stage", file.toString());
		assertThat(staged.exitCode()).as(staged.toString()).isZero();
		assertThat(staged.err()).as("every line accepted").doesNotContain("rejected");
	}

	/**
	 * Stages the lines for the embedded target, and hands the same spool file (with its
	 * {@code {seq}} values and expirations) to the data folder of the target under test.
	 */
	private static void stageBoth(CliRun local, Path data, Path file, String lines) throws IOException {
		Path localSpool = local.dataDir().resolve("spool");
		List<Path> before = spoolFiles(localSpool);
		Files.writeString(file, lines + "\n", StandardCharsets.UTF_8);
		CliRun.Result staged = local.run("stage", file.toString());
		assertThat(staged.exitCode()).as(staged.toString()).isZero();
		Path spool = Files.createDirectories(data.resolve("spool"));
		for (Path staging : spoolFiles(localSpool)) {
			if (!before.contains(staging)) {
				Path tmp = spool.resolve(staging.getFileName() + ".tmp");
				Files.copy(staging, tmp);
				Files.move(tmp, spool.resolve(staging.getFileName()));
			}
		}
	}

	private static List<Path> spoolFiles(Path spool) throws IOException {
		if (!Files.isDirectory(spool)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(spool)) {
			return files.filter((file) -> file.toString().endsWith(".jsonl")).sorted().toList();
		}
	}

	private static String kvLine(String out) {
		return out.lines().filter((line) -> line.startsWith("  KV ")).findFirst().orElse("");
	}

	/**
	 * Seeds legacy keys as an app wrote them before kvbatch: {@code hashes} sync hashes
	 * (never expiring) and {@code mappings} mobile mappings over five devices, each with
	 * its own expiration.
	 */
	private Legacy seedLegacyKeys(int hashes, int mappings) {
		long base = Instant.now().getEpochSecond() + 30L * 86_400;
		Map<String, String> values = new LinkedHashMap<>();
		Map<String, Long> expirations = new HashMap<>();
		for (int i = 0; i < hashes; i++) {
			values.put("hash:fp%05d".formatted(i), "\"todoist-%d\"".formatted(i));
		}
		for (int i = 0; i < mappings; i++) {
			String key = "mobile-mapping:dev%d:task%04d".formatted(i % 5, i);
			values.put(key, "{\"thingsId\":\"T-%d\"}".formatted(i));
			expirations.put(key, base + i);
		}
		namespace().seed(values, expirations);
		return new Legacy(values, expirations);
	}

	/**
	 * The packed keys hold every legacy value, each map key the latest expiration of its
	 * entries.
	 */
	private void assertPacked(Legacy legacy) {
		Map<String, @Nullable Long> listed = namespace().list("");
		Map<String, JsonNode> packed = new HashMap<>();
		legacy.values().forEach((key, value) -> {
			String physical = key.startsWith("hash:") ? "sync-state:batch" : "mobile-batch:" + key.split(":")[1];
			JsonNode fields = packed.computeIfAbsent(physical, (name) -> JSON.readTree(namespace().value(name)));
			assertThat(fields.get(key.substring(key.lastIndexOf(':') + 1))).as(key).isEqualTo(JSON.readTree(value));
		});
		for (int device = 0; device < 5; device++) {
			String prefix = "mobile-mapping:dev" + device + ":";
			Long latest = legacy.expirations()
				.entrySet()
				.stream()
				.filter((entry) -> entry.getKey().startsWith(prefix))
				.map(Map.Entry::getValue)
				.max(Long::compare)
				.orElse(null);
			if (latest != null) {
				assertThat(listed.get("mobile-batch:dev" + device)).as("device %d", device).isEqualTo(latest);
			}
		}
		if (legacy.values().keySet().stream().anyMatch((key) -> key.startsWith("hash:"))) {
			assertThat(listed).containsEntry("sync-state:batch", null);
		}
	}

	private record Legacy(Map<String, String> values, Map<String, Long> expirations) {
	}

}
