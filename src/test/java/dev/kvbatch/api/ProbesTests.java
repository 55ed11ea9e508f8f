package dev.kvbatch.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kubernetes' probes answer on the management port, without a token, and not on the API
 * port.
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
			HttpResponse<String> onApiPort = server.send("GET", server.base + "/actuator/health/liveness",
					HttpRequest.BodyPublishers.noBody());
			assertThat(onApiPort.statusCode()).isEqualTo(404);
		}
	}

}
