package dev.kvbatch.kv;

import dev.kvbatch.kv.cloudflare.CloudflareKvTarget;
import dev.kvbatch.kv.cloudflare.CloudflareProperties;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import dev.kvbatch.MovableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.kvbatch.pack.PhysicalValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;
import org.springframework.web.client.RestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk reads paged so that no answer passes KV's 25 MiB, against the fake namespace over
 * HTTP.
 */
class KvReadsTests {

	private static final String BULK_GET = FakeCloudflareKv.NAMESPACE_PATH + "/bulk/get";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));

	private FakeCloudflareKv kv;

	private KvTarget target;

	@BeforeEach
	void start() {
		this.kv = FakeCloudflareKv.startServer(this.clock);
		CloudflareProperties properties = new CloudflareProperties(FakeCloudflareKv.ACCOUNT, FakeCloudflareKv.TOKEN,
				FakeCloudflareKv.NAMESPACE, URI.create(this.kv.baseUrl()), Duration.ofSeconds(2),
				Duration.ofSeconds(30), 5, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(6), 1200,
				Duration.ofMinutes(5), DataSize.ofMegabytes(100), null);
		this.target = CloudflareKvTarget.create(properties, RestClient.builder(), JSON, this.clock,
				this.clock.sleeper());
	}

	@AfterEach
	void stop() {
		this.kv.stopServer();
	}

	@Test
	void readsAHundredKeysARequestAndHalvesARequestWhoseAnswerWouldPassTwentyFiveMib() {
		String tenMib = "x".repeat(10 * 1024 * 1024);
		List<PhysicalValue> values = IntStream.range(0, 150)
			.mapToObj((i) -> new PhysicalValue("k%03d".formatted(i), (i == 0 || i == 1 || i == 50) ? tenMib : "v" + i,
					null))
			.toList();
		this.target.put(values);

		List<KvTarget.StoredValue> read = KvReads.bulkGet(this.target,
				values.stream().map(PhysicalValue::key).toList());

		assertThat(read).extracting(KvTarget.StoredValue::key)
			.containsExactlyElementsOf(values.stream().map(PhysicalValue::key).toList());
		assertThat(read.get(0).value()).hasSize(tenMib.length());
		// 100 keys (30 MiB: refused), its halves (20 and 10 MiB), then the last 50.
		assertThat(this.kv.server().findAll(postRequestedFor(urlEqualTo(BULK_GET))))
			.extracting((request) -> JSON.readTree(request.getBody()).path("keys").size())
			.containsExactly(100, 50, 50, 50);
	}

	@Test
	void readsAKeyWhoseValueAloneIsTooLargeForABulkReadOnItsOwn() {
		this.target.put(List.of(new PhysicalValue("big", "v", 4_000_000_000L)));
		this.kv.server()
			.stubFor(WireMock.post(BULK_GET)
				.atPriority(1)
				.willReturn(aResponse().withStatus(413)
					.withBody(FakeCloudflareKv.errorBody(10000, "Total size of request exceeds the limit of 25MB"))));

		List<KvTarget.StoredValue> read = KvReads.bulkGet(this.target, List.of("big"));

		assertThat(read).containsExactly(new KvTarget.StoredValue("big", "v", 4_000_000_000L));
		assertThat(this.kv.server().findAll(WireMock.getRequestedFor(WireMock.urlPathMatching(".*/values/big"))))
			.extracting(LoggedRequest::getMethod)
			.hasSize(1);
	}

}
