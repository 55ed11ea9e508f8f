package dev.kvbatch.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run migrate} against a fake KV namespace holding thousands of legacy keys of
 * every shipped rule, written by an app before it adopted kvbatch.
 */
class MigrateIntegrationTests {

	private static final String NOW = "--test.now=2026-11-24T10:00:00Z";

	/** 2025-11-24T16:00:00Z (and the next hour), in epoch milliseconds. */
	private static final long TS = 1_764_000_000_000L - (1_764_000_000_000L % 3_600_000L);

	private static final long EXPIRATION = 4_000_000_000L;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path tmp;

	private FakeCloudflareKv kv;

	/** The legacy keys of the map rules and their values. */
	private final Map<String, String> legacy = new LinkedHashMap<>();

	@BeforeEach
	void seedNamespace() {
		this.kv = FakeCloudflareKv.startServer();
		for (int i = 0; i < 600; i++) {
			seed("mobile-mapping:dev%d:task%04d".formatted(i % 20, i), "{\"thingsId\":\"T-%d\"}".formatted(i),
					EXPIRATION + i);
		}
		for (int i = 0; i < 2500; i++) {
			seed("hash:fp%05d".formatted(i), "\"todoist-%d\"".formatted(i), null);
		}
		for (int i = 0; i < 400; i++) {
			seed("webhook-delivery:d%04d".formatted(i), "{\"status\":200,\"n\":%d}".formatted(i), EXPIRATION);
		}
		for (int i = 0; i < 500; i++) {
			this.kv.seed("metrics:sync:%d:r%03d".formatted(TS + (i % 2) * 3_600_000L, i), "{\"value\":%d}".formatted(i),
					null);
		}
		for (int i = 1; i <= 30; i++) {
			this.kv.seed("a%02d".formatted(i), "{\"title\":\"Album %d\"}".formatted(i), null);
		}
		this.kv.seed("hash:broken", "not json {", null);
	}

	@AfterEach
	void stopKv() {
		this.kv.stopServer();
	}

	@Test
	void migrateVerifyDeleteAndUnpackGiveBackTheOriginalValuesAtTheCostStatsPredicted() {
		CliRun cli = cli();
		Map<String, FakeCloudflareKv.Stored> original = this.kv.snapshot();

		CliRun.Result run = cli.run(withCloudflare("run", "migrate", "at=2026-11-20"));

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("load     read 4,001, written 4,001 (loaded 4,000, rejected 1, skipped 0)")
			.contains("flush    read 24, written 24 (24 sent, 0 deleted, 0 unchanged, 0 left dirty, 0 deferred")
			.contains("KV       24 writes, 0 deletes, 6 lists, 4,001 reads");
		Map<String, FakeCloudflareKv.Stored> after = this.kv.snapshot();
		assertThat(after).as("legacy keys are not deleted").containsAllEntriesOf(original);
		assertThat(after).hasSize(original.size() + 24);
		for (int device = 0; device < 20; device++) {
			FakeCloudflareKv.Stored packed = after.get("mobile-batch:dev" + device);
			JsonNode fields = JSON.readTree(packed.value());
			assertThat(fields.size()).isEqualTo(30);
			assertThat(packed.expiration()).as("the latest expiration of its entries")
				.isEqualTo(EXPIRATION + 580 + device);
		}
		JsonNode hashes = JSON.readTree(after.get("sync-state:batch").value());
		assertThat(hashes.size()).isEqualTo(2500);
		assertThat(hashes.path("fp00042").asString()).isEqualTo("todoist-42");
		assertThat(hashes.has("broken")).as("a value that does not parse is left alone").isFalse();
		assertThat(JSON.readTree(after.get("webhook-batch:2026-11-20").value()).size()).isEqualTo(400);
		JsonNode firstHour = JSON.readTree(after.get("metrics:hour:2025-11-24T16").value()).path("sync");
		assertThat(firstHour.path("count").asLong()).isEqualTo(250);
		assertThat(firstHour.path("min").asDouble()).isZero();
		assertThat(firstHour.path("max").asDouble()).isEqualTo(498);
		this.legacy.forEach((key, value) -> {
			String packedKey = key.startsWith("hash:") ? "sync-state:batch" : key.startsWith("webhook-delivery:")
					? "webhook-batch:2026-11-20" : "mobile-batch:" + key.split(":")[1];
			String field = key.substring(key.lastIndexOf(':') + 1);
			assertThat(JSON.readTree(after.get(packedKey).value()).get(field)).as(key).isEqualTo(JSON.readTree(value));
		});

		CliRun.Result stats = cli.run(withCloudflare("migrate", "stats"));
		CliRun.Result verified = cli.run(withCloudflare("migrate", "verify"));

		assertThat(stats.exitCode()).as(stats.toString()).isZero();
		assertThat(stats.out()).contains("mobile-mapping              600        600         20")
			.contains("sync-hash                 2,500      2,500          1")
			.contains("metrics                     500        500          2")
			.contains("migrate: 4,000 reads of legacy keys, 24 writes of packed keys")
			.contains("unpack:  4,000 writes of individual keys");
		assertThat(verified.exitCode()).as(verified.toString()).isZero();
		assertThat(verified.out()).isEqualTo("verified 4,000 migrated keys: 0 mismatched\n");

		this.kv.seed("hash:fp00007", "\"changed by the old app\"", null);
		CliRun.Result changed = cli.run(withCloudflare("migrate", "verify"));

		assertThat(changed.exitCode()).isEqualTo(ExitCodes.FAILED);
		assertThat(changed.out()).contains("mismatch hash:fp00007: legacy value \"changed by the old app\" but"
				+ " sync-state:batch holds \"todoist-7\"\n", "4,000 migrated keys: 1 mismatched");

		CliRun.Result someDeleted = cli.run(withCloudflare("run", "migrate", "delete-legacy=true",
				"--kvbatch.budget.deletes-per-day=150", "--test.now=2026-11-24T11:00:00Z"));
		CliRun.Result restDeleted = cli.run(withCloudflare("run", "migrate", "delete-legacy=true",
				"--kvbatch.plan=paid", "--test.now=2026-11-24T12:00:00Z"));

		assertThat(someDeleted.exitCode()).as(someDeleted.toString()).isZero();
		assertThat(someDeleted.out()).contains("(deleted 150)").contains("0 writes, 150 deletes, 4 lists, 0 reads");
		assertThat(restDeleted.out()).contains("(deleted 3,849)");
		assertThat(this.kv.snapshot().keySet()).as("only verified legacy keys are deleted")
			.containsAll(List.of("hash:fp00007", "hash:broken", "a01", "sync-state:batch"))
			.doesNotContain("hash:fp00006", "mobile-mapping:dev0:task0000", "webhook-delivery:d0000",
					"metrics:sync:" + TS + ":r000");
		assertThat(cli.run(withCloudflare("migrate", "verify")).out())
			.as("keys whose legacy key is deleted are not verified again")
			.endsWith("verified 1 migrated keys: 1 mismatched\n");

		this.legacy.keySet().forEach(this.kv::remove);
		this.kv.server().resetRequests();
		CliRun.Result unpacked = cli.run(withCloudflare("migrate", "unpack"));
		CliRun.Result rest = cli
			.run(withCloudflare("migrate", "unpack", "--after", "hash:fp00875", "--kvbatch.plan=paid"));

		assertThat(unpacked.exitCode()).as(unpacked.toString()).isZero();
		assertThat(unpacked.out()).as("the day's 900 writes, less the 24 packed keys")
			.isEqualTo("unpacked 876 keys\nthe day's KV writes are spent:"
					+ " continue with kvbatch migrate unpack --after 'hash:fp00875'\n");
		assertThat(rest.out()).isEqualTo("unpacked 3,124 keys\n");
		assertThat(this.kv.server().findAll(putRequestedFor(urlEqualTo(FakeCloudflareKv.NAMESPACE_PATH + "/bulk"))))
			.as("as many writes as stats predicted")
			.map((put) -> JSON.readTree(put.getBody()).size())
			.containsExactly(876, 1000, 1000, 1000, 124);
		assertThat(this.kv.snapshot()).containsAllEntriesOf(original);
	}

	@Test
	void spentListBudgetStopsTheLoadCleanlyAndTheNextRunResumes() {
		CliRun cli = cli();

		CliRun.Result first = cli.run(withCloudflare("run", "migrate", "--kvbatch.budget.lists-per-day=2"));
		CliRun.Result second = cli.run(withCloudflare("run", "migrate", "--kvbatch.budget.lists-per-day=100",
				"--test.now=2026-11-24T11:00:00Z"));
		CliRun.Result third = cli.run(withCloudflare("run", "migrate", "--kvbatch.budget.lists-per-day=100",
				"--test.now=2026-11-24T12:00:00Z"));

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).contains("(loaded 1,599, rejected 1, skipped 0, stopped-by-budget 1)")
			.contains("KV       21 writes, 0 deletes, 2 lists, 1,600 reads");
		assertThat(second.exitCode()).as(second.toString()).isZero();
		assertThat(second.out()).as("each listing resumes at its saved page, skipping what was loaded")
			.contains("(loaded 2,401, rejected 0, skipped 0)")
			.contains("6 lists, 2,401 reads");
		assertThat(third.out()).as("a run after the end lists each rule's last page and reads nothing new")
			.contains("load     read 0, written 0\n")
			.contains("KV       0 writes, 0 deletes, 4 lists, 0 reads");
		assertThat(JSON.readTree(this.kv.snapshot().get("sync-state:batch").value()).size()).isEqualTo(2500);
	}

	@Test
	void failedListingRestartsFromTheSavedCursorWithoutReadingAKeyTwice() {
		CliRun cli = cli();
		this.kv.failListsAfter(3);

		CliRun.Result failed = cli.run(withCloudflare("run", "migrate"));
		this.kv.failListsAfter(Integer.MAX_VALUE);
		CliRun.Result restarted = cli.run(withCloudflare("restart", "--last", "migrate"));

		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(reads(failed.out())).isEqualTo(2600);
		assertThat(restarted.exitCode()).as(restarted.toString()).isZero();
		assertThat(reads(failed.out()) + reads(restarted.out())).as("every legacy key is read once").isEqualTo(4001);
		assertThat(JSON.readTree(this.kv.snapshot().get("sync-state:batch").value()).size()).isEqualTo(2500);
	}

	@Test
	void loadsBulkAnswersInThePlainFormWithTheExpirationsOfTheListing() {
		// Miniflare's Local Explorer answers {key: "text"} and ignores withMetadata.
		this.kv.answerBulkGetInPlainForm();
		CliRun cli = cli();

		CliRun.Result run = cli.run(withCloudflare("run", "migrate", "at=2026-11-20"));

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("(loaded 4,000, rejected 1, skipped 0)");
		for (int device = 0; device < 20; device++) {
			assertThat(this.kv.snapshot().get("mobile-batch:dev" + device).expiration())
				.as("the latest expiration of its entries, as listed")
				.isEqualTo(EXPIRATION + 580 + device);
		}
		assertThat(cli.run(withCloudflare("migrate", "verify")).out())
			.isEqualTo("verified 4,000 migrated keys: 0 mismatched\n");
	}

	@Test
	void aBulkAnswerItDoesNotUnderstandFailsTheLoadWithoutPassingAKeyAndTheRestartLoadsEveryKey() {
		String bulkGet = FakeCloudflareKv.NAMESPACE_PATH + "/bulk/get";
		for (int i = 0; i < 5; i++) {
			var answer = (i < 4) ? aResponse().withTransformers("fake-cloudflare-kv")
					: aResponse().withStatus(200)
						.withBody("{\"success\":true,\"errors\":[],\"messages\":[],"
								+ "\"result\":{\"values\":{\"mobile-mapping:dev0:task0400\":7}}}");
			this.kv.server()
				.stubFor(WireMock.post(bulkGet)
					.atPriority(1)
					.inScenario("reads")
					.whenScenarioStateIs((i == 0) ? Scenario.STARTED : "read-" + i)
					.willSetStateTo("read-" + (i + 1))
					.willReturn(answer));
		}
		CliRun cli = cli();

		CliRun.Result failed = cli.run(withCloudflare("run", "migrate", "at=2026-11-20"));
		CliRun.Result restarted = cli.run(withCloudflare("restart", "--last", "migrate"));

		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(failed.out()).contains("(loaded 400, rejected 0, skipped 0)");
		assertThat(failed.err())
			.startsWith("kvbatch: Cloudflare KV answered a bulk read (POST /bulk/get) in a form"
					+ " kvbatch does not understand: ")
			.contains("kvbatch restart 1");
		assertThat(restarted.exitCode()).as(restarted.toString()).isZero();
		assertThat(restarted.out()).as("the load resumes at the first key it did not load, and reads it once")
			.contains("load     read 3,601, written 3,601 (loaded 4,000, rejected 1, skipped 0)");
		assertThat(JSON.readTree(this.kv.snapshot().get("sync-state:batch").value()).size()).isEqualTo(2500);
		assertThat(cli.run(withCloudflare("migrate", "verify")).out())
			.isEqualTo("verified 4,000 migrated keys: 0 mismatched\n");
	}

	@Test
	void badParametersAreUsageErrorsBeforeAnythingIsListed() {
		CliRun cli = cli();

		CliRun.Result badAt = cli.run(withCloudflare("run", "migrate", "at=yesterday"));
		CliRun.Result badDelete = cli.run(withCloudflare("run", "migrate", "delete-legacy=yes"));
		CliRun.Result noSubcommand = cli.run("migrate");

		assertThat(badAt.exitCode()).as(badAt.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(badAt.err()).isEqualTo("kvbatch: job parameter at must be YYYY-MM-DD, an ISO-8601 instant or epoch"
				+ " milliseconds, was \"yesterday\"\n");
		assertThat(badDelete.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(badDelete.err())
			.isEqualTo("kvbatch: job parameter delete-legacy must be true or false, was \"yes\"\n");
		assertThat(noSubcommand.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(this.kv.server().getAllServeEvents()).isEmpty();
	}

	private void seed(String key, String value, Long expiration) {
		this.kv.seed(key, value, expiration);
		this.legacy.put(key, value);
	}

	private CliRun cli() {
		return new CliRun(this.tmp.resolve("data"), NoSleepConfiguration.class, FixedClockConfiguration.class);
	}

	private static long reads(String out) {
		Matcher matcher = Pattern.compile("lists, ([\\d,]+) reads").matcher(out);
		assertThat(matcher.find()).as(out).isTrue();
		return Long.parseLong(matcher.group(1).replace(",", ""));
	}

	private String[] withCloudflare(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		if (all.stream().noneMatch((arg) -> arg.startsWith("--test.now="))) {
			all.add(NOW);
		}
		all.add("--kvbatch.target=cloudflare");
		all.add("--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT);
		all.add("--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE);
		all.add("--kvbatch.cloudflare.api-token=" + FakeCloudflareKv.TOKEN);
		all.add("--kvbatch.cloudflare.base-url=" + this.kv.baseUrl());
		return all.toArray(String[]::new);
	}

}
