package dev.kvbatch.api;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.kvbatch.cli.Cli;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reads the API answers from kvbatch's own state are counted per UTC day in the database
 * (about once a second, and when the server stops), and the usage report shows them as
 * "KV reads saved" in every form: text, JSON, CSV, the HTML file and the HTML mail.
 */
class ReadsSavedTests {

	@RegisterExtension
	static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

	private static final String COUNT = "SELECT COALESCE(SUM(saved), 0) FROM kv_reads_saved_daily";

	@TempDir
	Path tmp;

	@Test
	void readsAnsweredLocallyAreKeptPerDayAndTheUsageReportShowsThemAsKvReadsSaved() throws Exception {
		Path data = this.tmp.resolve("data");
		LocalDate day = LocalDate.now(ZoneOffset.UTC);
		try (ApiServer server = ApiServer.start(data)) {
			assertThat(server.put("/values/a1", "{\"n\":1}").statusCode()).isEqualTo(200);
			assertThat(server.put("/values/mobile-mapping:dev1:t1", "{\"id\":1}").statusCode()).isEqualTo(200);
			assertThat(server.send("DELETE", "/values/gone", "").statusCode()).isEqualTo(200);
			// Found, found, known deleted: three reads KV did not serve.
			assertThat(server.get("/values/a1").statusCode()).isEqualTo(200);
			assertThat(server.get("/metadata/mobile-mapping:dev1:t1").statusCode()).isEqualTo(200);
			assertThat(server.get("/values/gone").statusCode()).isEqualTo(404);
			// Never seen: kvbatch did not answer it from its state, so it saved nothing.
			assertThat(server.get("/values/never-seen").statusCode()).isEqualTo(404);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(server.jdbc().queryForObject(COUNT, Long.class))
					.as("written within about a second, without a stop")
					.isEqualTo(3));

			// Two of the three keys are kvbatch's, the third is not: two reads saved.
			HttpResponse<String> bulk = server.send("POST", "/bulk/get",
					"{\"keys\":[\"a1\",\"mobile-mapping:dev1:t1\",\"never-seen\"]}", "Content-Type",
					"application/json");
			assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
			for (int i = 0; i < 5; i++) {
				assertThat(server.get("/values/a1").statusCode()).isEqualTo(200);
			}
		}
		// The last reads are written by the next periodic flush or, at the latest, by the
		// stop.
		List<String> args = new ArrayList<>(List.of("run", "usage-report", "date=" + day, "--kvbatch.data-dir=" + data,
				"--kvbatch.report.mail.to=ops@example.com", "--spring.mail.host=localhost",
				"--spring.mail.port=" + smtp.getSmtp().getPort()));
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int code = new Cli().output(new PrintWriter(out, true), new PrintWriter(err, true))
			.run(args.toArray(String[]::new));
		assertThat(code).as(out + "\n" + err).isZero();

		Path reports = data.resolve("reports");
		String text = Files.readString(reports.resolve("usage-" + day + ".txt"));
		assertThat(text).containsPattern("reads +KV reads saved 10: answered by kvbatch serve from its own state");
		JsonNode json = ApiServer.JSON.readTree(reports.resolve("usage-" + day + ".json").toFile());
		assertThat(json.get("readsSaved").asLong()).isEqualTo(10);
		assertThat(Files.readString(reports.resolve("usage-" + day + ".csv"))).contains(day + ",reads,saved,10");
		assertThat(Files.readString(reports.resolve("usage-" + day + ".html"))).contains("KV reads saved 10");
		MimeMessage[] mails = smtp.getReceivedMessages();
		assertThat(mails).hasSize(1);
		assertThat(partText(mails[0], "text/html")).contains("KV reads saved 10");
		assertThat(partText(mails[0], "text/plain")).contains("KV reads saved 10");
	}

	/** The first part of a content type in a mail. */
	private static String partText(Part part, String type) throws Exception {
		List<Part> pending = new ArrayList<>(List.of(part));
		while (!pending.isEmpty()) {
			Part next = pending.remove(0);
			if (next.getContent() instanceof Multipart multipart) {
				for (int i = 0; i < multipart.getCount(); i++) {
					pending.add(multipart.getBodyPart(i));
				}
			}
			else if (next.isMimeType(type) && next.getFileName() == null) {
				return (String) next.getContent();
			}
		}
		throw new AssertionError("no " + type + " part");
	}

}
