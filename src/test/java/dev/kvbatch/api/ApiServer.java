package dev.kvbatch.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.jobs.JobRuns;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web context of {@code kvbatch serve --no-jobs} on a random port, in this JVM, with
 * a real HTTP client: what the API tests talk to.
 */
final class ApiServer implements AutoCloseable {

	static final String WRITE_TOKEN = "test-write-token-0123456789";

	static final String READ_TOKEN = "test-read-token-0123456789";

	static final JsonMapper JSON = JsonMapper.builder().build();

	private final ConfigurableApplicationContext context;

	private final HttpClient http = HttpClient.newHttpClient();

	final String base;

	final String namespace;

	private ApiServer(ConfigurableApplicationContext context) {
		this.context = context;
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		this.base = "http://127.0.0.1:" + port;
		this.namespace = this.base + "/client/v4/accounts/kvbatch/storage/kv/namespaces/kvbatch";
	}

	/**
	 * Starts a server on a data folder with the test tokens and these further settings.
	 */
	static ApiServer start(Path dataDir, String... settings) {
		List<String> args = new ArrayList<>(List.of("--spring.main.web-application-type=servlet", "--server.port=0",
				"--kvbatch.data-dir=" + dataDir, "--kvbatch.api.write-tokens=" + WRITE_TOKEN,
				"--kvbatch.api.read-tokens=" + READ_TOKEN, "--management.server.port=-1"));
		for (String setting : settings) {
			String name = setting.substring(0, setting.indexOf('=') + 1);
			args.removeIf((arg) -> arg.startsWith(name));
			args.add(setting);
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(KvBatchApplication.class)
			.web(WebApplicationType.SERVLET)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.registerShutdownHook(false)
			.run(args.toArray(String[]::new));
		return new ApiServer(context);
	}

	HttpResponse<String> send(String method, String path, String body, String... headers) {
		return send(method, path, HttpRequest.BodyPublishers.ofString(body), withToken(headers));
	}

	HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create(path.startsWith("http") ? path : this.namespace + path))
			.method(method, body);
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	HttpResponse<String> get(String path) {
		return send("GET", path, HttpRequest.BodyPublishers.noBody(), withToken());
	}

	HttpResponse<String> put(String path, String body) {
		return send("PUT", path, body);
	}

	static String[] withToken(String... headers) {
		for (int i = 0; i < headers.length; i += 2) {
			if (headers[i].equalsIgnoreCase("Authorization")) {
				return headers;
			}
		}
		String[] all = new String[headers.length + 2];
		all[0] = "Authorization";
		all[1] = "Bearer " + WRITE_TOKEN;
		System.arraycopy(headers, 0, all, 2, headers.length);
		return all;
	}

	static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	/** The first error's code of an envelope. */
	static int errorCode(HttpResponse<String> response) {
		JsonNode body = json(response);
		assertThat(body.get("success").asBoolean()).as(response.body()).isFalse();
		return body.get("errors").get(0).get("code").asInt();
	}

	/** Runs compress in this server's JVM, as its schedule would. */
	JobExecution compress() throws Exception {
		JobExecution execution = this.context.getBean(JobRuns.class).start("compress", Map.of());
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		return execution;
	}

	String property(String name) {
		return this.context.getEnvironment().getProperty(name);
	}

	JdbcTemplate jdbc() {
		return this.context.getBean(JdbcTemplate.class);
	}

	@Override
	public void close() {
		this.context.close();
	}

}
