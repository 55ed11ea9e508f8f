package dev.kvbatch.metrics;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.kvbatch.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run ({@code kvbatch run compress}, as a CronJob runs it) pushes its meters to a
 * Pushgateway (a WireMock stand-in) as it ends, with Spring Boot's
 * {@code management.prometheus.metrics.export.pushgateway.*} settings, and pushes nothing
 * unless they enable it.
 */
class PushgatewayTests {

	@RegisterExtension
	static WireMockExtension pushgateway = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort())
		.build();

	@TempDir
	Path tmp;

	@Test
	void aRunPushesItsMetersWhenItEndsAndOnlyWhenEnabled() throws Exception {
		pushgateway.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
		Path data = this.tmp.resolve("data");
		Files.createDirectories(data.resolve("spool"));
		Files.writeString(data.resolve("spool").resolve("app-1.jsonl"),
				"{\"op\":\"put\",\"key\":\"pushed-album-key\",\"value\":{\"title\":\"x\"}}\n");
		String address = "--management.prometheus.metrics.export.pushgateway.address=127.0.0.1:"
				+ pushgateway.getPort();

		run("run", "compress", "--kvbatch.data-dir=" + data, address);
		assertThat(pushgateway.findAll(anyRequestedFor(anyUrl()))).as("pushed while not enabled").isEmpty();

		run("run", "compress", "--kvbatch.data-dir=" + data, address,
				"--management.prometheus.metrics.export.pushgateway.enabled=true",
				"--management.prometheus.metrics.export.pushgateway.job=kvbatch-compress",
				"--management.prometheus.metrics.export.pushgateway.grouping-key.instance=cron/7",
				"--management.prometheus.metrics.export.pushgateway.token=push-token-0123456789");

		// A value with a slash goes in the Pushgateway's base64 form.
		String group = "/metrics/job/kvbatch-compress/instance@base64/"
				+ Base64.getUrlEncoder().encodeToString("cron/7".getBytes(StandardCharsets.UTF_8));
		List<LoggedRequest> pushes = pushgateway.findAll(anyRequestedFor(anyUrl()));
		assertThat(pushes).hasSize(1);
		assertThat(pushgateway.findAll(putRequestedFor(urlEqualTo(group)))).hasSize(1);
		LoggedRequest push = pushes.get(0);
		assertThat(push.getHeader("Authorization")).isEqualTo("Bearer push-token-0123456789");
		assertThat(push.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
		String body = push.getBodyAsString();
		// The first run sent the one write; the second found nothing left to send.
		assertThat(body).contains("kvbatch_kv_operations_today{operation=\"write\"} 1.0")
			.contains("kvbatch_staged_operations_today{op=\"put\"} 1.0")
			.contains("kvbatch_budget_remaining{operation=\"write\"} 899.0")
			.contains("kvbatch_backlog_rows 0.0")
			.containsPattern("spring_batch_job_seconds_count\\{[^}]*spring_batch_job_name=\"compress\"[^}]*"
					+ "spring_batch_job_status=\"COMPLETED\"[^}]*} 1")
			.doesNotContain("pushed-album-key", "push-token");
	}

	private static void run(String... args) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int code = new Cli().output(new PrintWriter(out, true), new PrintWriter(err, true))
			.run(new ArrayList<>(List.of(args)).toArray(String[]::new));
		assertThat(code).as(out + "\n" + err).isZero();
	}

}
