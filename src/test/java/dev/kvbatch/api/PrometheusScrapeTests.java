package dev.kvbatch.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/prometheus} on serve's management port, scraped over HTTP after real
 * API writes and a real compress: kvbatch's gauges show what the database holds, Spring
 * Batch's job meter counts the run, and the API's request meter names the route's
 * template, never a key or a token.
 */
class PrometheusScrapeTests {

	private static final String VALUES_ROUTE = "/client/v4/accounts/{accountId}/storage/kv/namespaces/{namespaceId}"
			+ "/values/**";

	@TempDir
	Path tmp;

	@Test
	void showsKvbatchFiguresBatchRunsAndRequestsByRouteWithoutKeysOrTokens() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"), "--management.server.port=0")) {
			String management = "http://127.0.0.1:" + server.property("local.management.port");
			assertThat(server.put("/values/secret-album-key-41", "{\"title\":\"one\"}").statusCode()).isEqualTo(200);
			server.compress();
			// Staged after the compress: a spool file that waits for the next one.
			assertThat(server.put("/values/secret-album-key-42", "{\"title\":\"two\"}").statusCode()).isEqualTo(200);
			assertThat(server.get("/values/secret-album-key-41").statusCode()).isEqualTo(200);
			HttpResponse<String> refused = server.send("GET", "/values/secret-album-key-41", "", "Authorization",
					"Bearer not-a-token-0123456789");
			assertThat(refused.statusCode()).isEqualTo(401);
			long now = System.currentTimeMillis();
			server.jdbc()
				.update("INSERT INTO kv_breach (usage_day, rule, physical_key, due_at, recorded_at) VALUES (?, ?, ?, ?, ?)",
						Date.valueOf(LocalDate.now(ZoneOffset.UTC)), "mobile-mapping", "mobile-batch:dev1", now - 1000,
						now - 500);
			server.jdbc()
				.update("INSERT INTO kv_dead_letter (source, line, field, reason, raw, created_at) VALUES (?, ?, ?, ?, ?, ?)",
						"stdin", 1, "op", "op must be put or delete", "{\"op\":\"nope\"}", now - 1000);

			HttpResponse<String> scrape = server.send("GET", management + "/actuator/prometheus",
					HttpRequest.BodyPublishers.noBody());

			assertThat(scrape.statusCode()).isEqualTo(200);
			String body = scrape.body();
			assertThat(value(body, "kvbatch_kv_operations_today{operation=\"write\"}")).isEqualTo(1.0);
			assertThat(value(body, "kvbatch_kv_operations_today{operation=\"delete\"}")).isEqualTo(0.0);
			// The free plan's 1,000 writes at the default headroom of 0.9, less the one
			// sent.
			assertThat(value(body, "kvbatch_budget_remaining{operation=\"write\"}")).isEqualTo(899.0);
			assertThat(value(body, "kvbatch_staged_operations_today{op=\"put\"}")).isEqualTo(1.0);
			assertThat(value(body, "kvbatch_backlog_rows")).isEqualTo(0.0);
			assertThat(value(body, "kvbatch_backlog_spool_files")).isEqualTo(1.0);
			// The spool file was written during this test.
			assertThat(value(body, "kvbatch_backlog_oldest_age_seconds")).isBetween(0.0, 600.0);
			assertThat(value(body, "kvbatch_freshness_breaches_today{rule=\"mobile-mapping\"}")).isEqualTo(1.0);
			assertThat(value(body, "kvbatch_freshness_breaches_today{rule=\"direct\"}")).isEqualTo(0.0);
			assertThat(value(body, "kvbatch_dead_letters_open")).isEqualTo(1.0);
			assertThat(value(body, "kvbatch_api_reads_local_total")).isEqualTo(1.0);
			assertThat(sample(body, "spring_batch_job_seconds_count", "spring_batch_job_name=\"compress\"",
					"spring_batch_job_status=\"COMPLETED\""))
				.isEqualTo(1.0);
			assertThat(sample(body, "http_server_requests_seconds_count", "method=\"PUT\"", "status=\"200\"",
					"uri=\"" + VALUES_ROUTE + "\""))
				.isEqualTo(2.0);
			assertThat(sample(body, "http_server_requests_seconds_count", "method=\"GET\"", "status=\"401\""))
				.isEqualTo(1.0);
			assertThat(body).doesNotContain("secret-album-key", ApiServer.WRITE_TOKEN, ApiServer.READ_TOKEN,
					"not-a-token", "/accounts/kvbatch/");
		}
	}

	/** The value of the one sample whose name and labels are exactly {@code series}. */
	private static double value(String body, String series) {
		List<String> lines = body.lines().filter((line) -> line.startsWith(series + " ")).toList();
		assertThat(lines).as(series).hasSize(1);
		return Double.parseDouble(lines.get(0).substring(series.length() + 1).strip());
	}

	/** The value of the one sample of {@code name} that has every label given. */
	private static double sample(String body, String name, String... labels) {
		List<String> lines = body.lines().filter((line) -> line.startsWith(name + "{")).filter((line) -> {
			String labelSet = line.substring(0, line.lastIndexOf('}') + 1);
			for (String label : labels) {
				if (!labelSet.contains(label)) {
					return false;
				}
			}
			return true;
		}).toList();
		assertThat(lines).as(name + " " + String.join(",", labels) + " in\n" + body).hasSize(1);
		String line = lines.get(0);
		return Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).strip());
	}

}
