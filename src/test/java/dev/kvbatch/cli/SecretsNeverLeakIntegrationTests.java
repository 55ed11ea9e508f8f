package dev.kvbatch.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A faulty run against upstreams that fail and echo the request's headers back (the KV
 * REST API and the GraphQL analytics, a WireMock stand-in), with the token pasted with a
 * trailing newline, as a Secret made from a file has it: the token reaches no byte of
 * stdout, stderr (logs included), the H2 database, the spool, the report files or the
 * mails.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretsNeverLeakIntegrationTests {

	private static final String TOKEN = FakeCloudflareKv.TOKEN;

	@RegisterExtension
	static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

	@TempDir
	Path tmp;

	private FakeCloudflareKv kv;

	@BeforeEach
	void upstreamsThatEchoTheAuthorizationHeader() {
		this.kv = FakeCloudflareKv.startServer();
		String echo = "{\"success\":false,\"errors\":[{\"code\":10001,"
				+ "\"message\":\"bad request with {{request.headers.Authorization}}\"}],\"messages\":[],\"result\":null}";
		this.kv.server()
			.stubFor(WireMock.any(WireMock.urlPathMatching(FakeCloudflareKv.NAMESPACE_PATH + "/.*"))
				.atPriority(1)
				.willReturn(aResponse().withStatus(500)
					.withHeader("Content-Type", "application/json")
					.withBody(echo)
					.withTransformers("response-template")));
		this.kv.server()
			.stubFor(WireMock.post("/client/v4/graphql")
				.atPriority(1)
				.willReturn(aResponse().withStatus(400)
					.withHeader("Content-Type", "text/plain")
					.withBody("no access for {{request.headers.Authorization}}")
					.withTransformers("response-template")));
	}

	@AfterEach
	void stopUpstreams() {
		this.kv.stopServer();
	}

	@Test
	void theTokenIsInNoOutputFileOrMailOfAFaultyRun(CapturedOutput output) throws Exception {
		Path data = this.tmp.resolve("data");
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"),
				"{\"op\":\"put\",\"key\":\"a\",\"value\":1}\n{\"op\":\"put\",\"key\":\"b\",\"value\":1,\"ttl\":30}\n");
		List<Integer> codes = new ArrayList<>();

		codes.add(run(data, "stage", input.toString()));
		codes.add(run(data, "run", "compress"));
		codes.add(run(data, "kv", "get", "a"));
		codes.add(run(data, "run", "usage-report", "date=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC),
				"mail=true", "--kvbatch.report.mail.to=ops@example.com", "--spring.mail.host=localhost",
				"--spring.mail.port=" + smtp.getSmtp().getPort()));
		codes.add(run(data, "report", "--date", "today", "--format", "html"));
		codes.add(run(data, "restart", "--last", "compress", "--debug"));

		assertThat(codes).containsExactly(0, 1, 1, 0, 0, 1);
		assertThat(echoedResponses()).as("the upstreams did echo the token: the test can fail").isGreaterThan(2);
		assertThat(this.kv.server().getAllServeEvents())
			.allSatisfy((event) -> assertThat(event.getRequest().getHeader("Authorization"))
				.as("the token is sent without its newline")
				.isEqualTo("Bearer " + TOKEN));
		assertThat(output.getAll()).contains("[token]", "has a line break around it").doesNotContain(TOKEN);
		Map<String, String> texts = new LinkedHashMap<>();
		texts.put("database", databaseDump(data));
		try (Stream<Path> files = Files.walk(data)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				texts.put(data.relativize(file).toString(),
						new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
			}
		}
		MimeMessage[] mails = smtp.getReceivedMessages();
		assertThat(mails).hasSize(1);
		texts.put("mail", mailText(mails[0]));
		assertThat(texts).containsKeys("database", "mail",
				"reports/usage-" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + ".txt");
		assertThat(texts.get("mail")).contains("Cloudflare GraphQL request failed", "[token]");
		assertThat(texts.get("database")).as("the failed runs and the dead letter are recorded")
			.contains("FatalStepExecutionException", "must be at least 60 seconds");
		texts.forEach((where, text) -> assertThat(text).as(where).doesNotContain(TOKEN));
	}

	private int run(Path data, String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--kvbatch.data-dir=" + data);
		all.add("--kvbatch.jobs-dir=" + CliRun.noJobsDir(this.tmp.resolve("jobs")));
		all.add("--kvbatch.target=cloudflare");
		all.add("--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT);
		all.add("--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE);
		all.add("--kvbatch.cloudflare.api-token=" + TOKEN + "\n");
		all.add("--kvbatch.cloudflare.base-url=" + this.kv.baseUrl());
		all.add("--kvbatch.cloudflare.max-retries=1");
		all.add("--kvbatch.cloudflare.retry-delay=1ms");
		return new Cli().run(all.toArray(String[]::new));
	}

	private long echoedResponses() {
		return this.kv.server()
			.getAllServeEvents()
			.stream()
			.map(ServeEvent::getResponse)
			.filter((response) -> response.getBodyAsString().contains(TOKEN))
			.count();
	}

	/** Every text value of every table, as H2 dumps it. */
	private static String databaseDump(Path data) throws SQLException {
		StringBuilder dump = new StringBuilder();
		try (Connection connection = TableRows.connect(data);
				ResultSet script = connection.createStatement().executeQuery("SCRIPT")) {
			while (script.next()) {
				dump.append(script.getString(1)).append('\n');
			}
		}
		return dump.toString();
	}

	/** Headers and every part, decoded. */
	private static String mailText(MimeMessage mail) throws Exception {
		StringBuilder text = new StringBuilder();
		mail.getAllHeaderLines().asIterator().forEachRemaining((line) -> text.append(line).append('\n'));
		ByteArrayOutputStream raw = new ByteArrayOutputStream();
		mail.writeTo(raw);
		text.append(raw.toString(StandardCharsets.ISO_8859_1));
		appendParts(mail, text);
		return text.toString();
	}

	private static void appendParts(Part part, StringBuilder text) throws Exception {
		Object content = part.getContent();
		if (content instanceof Multipart multipart) {
			for (int i = 0; i < multipart.getCount(); i++) {
				BodyPart child = multipart.getBodyPart(i);
				appendParts(child, text);
			}
		}
		else if (content instanceof String string) {
			text.append(string).append('\n');
		}
		else if (content instanceof InputStream in) {
			try (in) {
				text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
			}
		}
	}

}
