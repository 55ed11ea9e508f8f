package dev.kvbatch.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kubernetes' probes and the count of reads answered locally are on the management port,
 * without a token, and not on the API port.
 */
class ProbesTests {

	@TempDir
	Path tmp;

	@Test
	void livenessAndReadinessAnswerOnTheManagementPortOnly() {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"), "--management.server.port=0")) {
			String management = "http://127.0.0.1:" + server.property("local.management.port");
			assertThat(management).doesNotEndWith(":" + server.base.substring(server.base.lastIndexOf(':') + 1));
			for (String probe : new String[] { "/actuator/health/liveness", "/actuator/health/readiness" }) {
				HttpResponse<String> health = server.send("GET", management + probe,
						HttpRequest.BodyPublishers.noBody());
				assertThat(health.statusCode()).as(probe).isEqualTo(200);
				assertThat(health.body()).contains("\"UP\"");
			}
			assertThat(server.put("/values/counted", "1").statusCode()).isEqualTo(200);
			assertThat(server.get("/values/counted").statusCode()).isEqualTo(200);
			assertThat(server.get("/values/counted").statusCode()).isEqualTo(200);
			HttpResponse<String> reads = server.send("GET", management + "/actuator/metrics/kvbatch.api.reads.local",
					HttpRequest.BodyPublishers.noBody());
			assertThat(reads.statusCode()).isEqualTo(200);
			assertThat(ApiServer.json(reads).get("measurements").get(0).get("value").asDouble()).isEqualTo(2.0);
			HttpResponse<String> onApiPort = server.send("GET", server.base + "/actuator/health/liveness",
					HttpRequest.BodyPublishers.noBody());
			assertThat(onApiPort.statusCode()).isEqualTo(404);
		}
	}

}
