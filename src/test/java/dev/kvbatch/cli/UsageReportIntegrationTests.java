package dev.kvbatch.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage-report job and {@code kvbatch report} on a real H2 file: the figures come
 * from ledger, staging, outbox and dead-letter rows, and the nightly mail reaches a real
 * SMTP server.
 */
class UsageReportIntegrationTests {

	private static final LocalDate NOV_23 = LocalDate.of(2026, 11, 23);

	private static final String NOW = "--test.now=2026-11-24T06:00:00Z";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

	@TempDir
	Path dataDir;

	@Test
	void mailsYesterdaysReportWithChartAttachmentAndTheLedgersFigures() throws Exception {
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		givenAWarningDay(cli);

		CliRun.Result run = cli.run("run", "usage-report", NOW, "--kvbatch.report.mail.to=ops@example.com",
				"--kvbatch.report.mail.from=kvbatch@example.com", "--spring.mail.host=localhost",
				"--spring.mail.port=" + smtp.getSmtp().getPort());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("usage-report execution 1: COMPLETED")
			// Six calls on five days and operations: the ledger is read summed per day
			// and
			// operation.
			.contains("ledger   read 5, written 5")
			.contains("backlog  read 3, written 3");
		MimeMessage[] received = smtp.getReceivedMessages();
		assertThat(received).hasSize(1);
		MimeMessage mail = received[0];
		assertThat(mail.getSubject()).isEqualTo("[kvbatch] WARNING — writes at 86 % of the free plan (2026-11-23)");
		assertThat(mail.getFrom()[0].toString()).isEqualTo("kvbatch@example.com");
		assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
		Map<String, Part> parts = parts(mail);
		String text = (String) parts.get("text/plain").getContent();
		String html = (String) parts.get("text/html").getContent();
		assertThat(text).contains("status: WARNING — writes at 86 % of the free plan")
			.contains("ALERT WARNING: writes at 86 % of the free plan's daily limit (860 of 1,000)")
			.containsPattern("write +860 +1,000 +86 %  warning");
		assertThat(html).contains("src=\"cid:usage-chart\"")
			.contains("writes at 86 % of the free plan&#39;s daily limit (860 of 1,000)")
			.contains(">860<");
		Part chart = parts.get("<usage-chart>");
		assertThat(chart.getContentType()).startsWith("image/png");
		assertThat(Part.INLINE).isEqualTo(chart.getDisposition());
		assertThat(bytes(chart)).startsWith(0x89, 'P', 'N', 'G');
		Part attachment = parts.get("usage-2026-11-23.json");
		assertThat(attachment.getContentType()).startsWith("application/json");
		JsonNode report = JSON.readTree(bytes(attachment));
		assertThatReportHasTheWarningDaysFigures(report);
		assertThat(report).isEqualTo(JSON.readTree(this.dataDir.resolve("reports/usage-2026-11-23.json").toFile()));
	}

	@Test
	void reportEmailDeliversTheDaysFiguresAsTheLedgerHasThem() throws Exception {
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		givenAWarningDay(cli);

		CliRun.Result run = cli.run("report", "--date", "2026-11-23", "--email", NOW,
				"--kvbatch.report.mail.to=ops@example.com", "--spring.mail.host=localhost",
				"--spring.mail.port=" + smtp.getSmtp().getPort());

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(smtp.getReceivedMessages()).singleElement()
			.satisfies((mail) -> assertThat(mail.getSubject())
				.isEqualTo("[kvbatch] WARNING — writes at 86 % of the free plan (2026-11-23)"));
		Part attachment = parts(smtp.getReceivedMessages()[0]).get("usage-2026-11-23.json");
		assertThatReportHasTheWarningDaysFigures(JSON.readTree(bytes(attachment)));
	}

	@Test
	void restartsAfterAFailedMailAndReportsTheSameDay() throws Exception {
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		givenAWarningDay(cli);
		String to = "--kvbatch.report.mail.to=ops@example.com";
		CliRun.Result failed = cli.run("run", "usage-report", NOW, to, "--spring.mail.host=localhost",
				"--spring.mail.port=1");

		CliRun.Result restarted = cli.run("restart", "--last", "usage-report", "--test.now=2026-11-25T09:00:00Z", to,
				"--spring.mail.host=localhost", "--spring.mail.port=" + smtp.getSmtp().getPort());

		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(failed.err()).contains("kvbatch: restart with: kvbatch restart 1");
		assertThat(restarted.exitCode()).as(restarted.toString()).isZero();
		assertThat(restarted.out()).doesNotContain("ledger   read").contains("report   read 0, written 5");
		MimeMessage[] received = smtp.getReceivedMessages();
		assertThat(received).hasSize(1);
		assertThat(received[0].getSubject()).endsWith("(2026-11-23)");
		assertThatReportHasTheWarningDaysFigures(JSON.readTree(bytes(parts(received[0]).get("usage-2026-11-23.json"))));
	}

	@Test
	void printsTheReportAsJsonAndRewritesTheSameFilesOnARerun() throws Exception {
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		givenAWarningDay(cli);
		CliRun.Result first = cli.run("report", "--format", "json", NOW);
		Map<String, byte[]> files = files();

		CliRun.Result second = cli.run("report", "--date", "2026-11-23", "--format", "json",
				"--test.now=2026-11-25T09:00:00Z");

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThatReportHasTheWarningDaysFigures(JSON.readTree(first.out()));
		assertThat(second.out()).isEqualTo(first.out());
		assertThat(files()).hasSize(4).allSatisfy((name, content) -> assertThat(content).isEqualTo(files.get(name)));
		assertThat(smtp.getReceivedMessages()).as("report mails only with --email").isEmpty();
		// Each start is a new instance only if the clock moved: run.at comes from it.
		assertThat(cli.run("report", "--format", "csv", "--test.now=2026-11-24T06:01:00Z").out())
			.startsWith("date,section,name,value\n")
			.contains("2026-11-23,write,used,860\n", "2026-11-23,write,zone,warning\n");
		assertThat(cli.run("report", "--format", "html", "--test.now=2026-11-24T06:02:00Z").out())
			.contains("data:image/png;base64,");
	}

	@Test
	void reportsWhatARealCompressRunSentAndTheRunItself() throws IOException {
		Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		CliRun cli = new CliRun(this.dataDir, FixedClockConfiguration.class);
		Path spool = Files.createDirectories(this.dataDir.resolve("spool"));
		Files.writeString(spool.resolve("producer.jsonl"), """
				{"op":"put","key":"a{seq}","value":{"title":"one"},"kind":"upload"}
				{"op":"put","key":"a{seq}","value":{"title":"two"},"kind":"upload"}
				{"op":"put","key":"mobile-mapping:dev1:t1","value":1}
				{"op":"put","key":"mobile-mapping:dev1:t2","value":2}
				{"op":"delete","key":"mobile-mapping:dev1:t3"}
				""");
		CliRun.Result compress = cli.run("run", "compress", "--test.now=" + now);
		assertThat(compress.out()).contains("KV       4 writes, 0 deletes");
		String today = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();

		CliRun.Result run = cli.run("report", "--date", today, "--format", "json", "--kvbatch.plan=paid",
				"--test.now=" + now);

		assertThat(run.exitCode()).as(run.toString()).isZero();
		JsonNode report = JSON.readTree(run.out());
		assertThat(report.get("plan").asString()).isEqualTo("paid");
		assertThat(report.at("/period/basis").asString()).isEqualTo("month to date");
		JsonNode write = report.at("/operations/1");
		assertThat(write.get("used").asLong()).isEqualTo(4);
		assertThat(write.get("limit").asLong()).isEqualTo(1_000_000);
		assertThat(report.at("/staged/puts").asLong()).isEqualTo(4);
		assertThat(report.at("/staged/deletes").asLong()).isEqualTo(1);
		assertThat(report.at("/staged/uploads").asLong()).isEqualTo(2);
		assertThat(report.at("/compression/logicalWrites").asLong()).isEqualTo(5);
		assertThat(report.at("/compression/kvWrites").asLong()).isEqualTo(4);
		assertThat(report.at("/forecast/projectedMonthCost").decimalValue()).isZero();
		assertThat(report.at("/jobs/0/job").asString()).isEqualTo("compress");
		assertThat(report.at("/jobs/0/status").asString()).isEqualTo("COMPLETED");
		assertThat(report.at("/jobs/0/durationSeconds").isNumber()).isTrue();
		assertThat(report.get("jobs")).as("the report job's own runs are left out").hasSize(1);
	}

	/**
	 * 2026-11-23 on the free plan: 860 KV writes (86 %, warning), 360 of them in a
	 * request whose answer a kill cut off, rows of other days, targets and times that
	 * must not count.
	 */
	private void givenAWarningDay(CliRun cli) throws SQLException {
		assertThat(cli.run("executions", NOW).exitCode()).isZero();
		Instant lateOn23 = Instant.parse("2026-11-23T22:00:00Z");
		try (UsageRows rows = new UsageRows(this.dataDir)) {
			rows.ledger(NOV_23, "write", "local", 500)
				.inFlight(NOV_23, "write", "local", 360)
				.ledger(NOV_23, "delete", "local", 50)
				.ledger(NOV_23, "read", "local", 10)
				.ledger(NOV_23, "list", "local", 3)
				.ledger(NOV_23, "write", "cloudflare", 999)
				.ledger(NOV_23.minusDays(1), "write", "local", 400)
				.ledger(NOV_23.plusDays(1), "write", "local", 70);
			rows.staged(NOV_23, 2000, 500, 100, 2400).staged(NOV_23.minusDays(1), 900, 0, 0, 900);
			rows.outbox(lateOn23.minus(1, ChronoUnit.HOURS))
				.outbox(lateOn23)
				.outbox(lateOn23.plusSeconds(60))
				.outbox(Instant.parse("2026-11-24T03:00:00Z"));
			rows.deadLetter(Instant.parse("2026-11-20T10:00:00Z"))
				.deadLetter(lateOn23)
				.deadLetter(lateOn23)
				.deadLetter(Instant.parse("2026-11-24T01:00:00Z"));
			rows.dirty("mobile-batch:dev1", lateOn23).dirty("sync-state:batch", lateOn23);
		}
	}

	private static void assertThatReportHasTheWarningDaysFigures(JsonNode report) {
		assertThat(report.get("date").asString()).isEqualTo("2026-11-23");
		assertThat(report.get("plan").asString()).isEqualTo("free");
		assertThat(report.get("worstZone").asString()).isEqualTo("warning");
		Map<String, String> operations = new LinkedHashMap<>();
		for (JsonNode operation : report.get("operations")) {
			operations.put(operation.get("operation").asString(),
					operation.get("used").asLong() + "/" + operation.get("limit").asLong() + " "
							+ operation.get("percent").asDouble() + " " + operation.get("zone").asString());
		}
		assertThat(operations).containsExactly(Map.entry("read", "10/100000 0.01 safe"),
				Map.entry("write", "860/1000 86.0 warning"), Map.entry("delete", "50/1000 5.0 safe"),
				Map.entry("list", "3/1000 0.3 safe"));
		assertThat(report.get("alerts")).hasSize(1);
		assertThat(report.at("/staged/puts").asLong()).isEqualTo(2000);
		assertThat(report.at("/compression/logicalWrites").asLong()).isEqualTo(2500);
		assertThat(report.at("/compression/kvWrites").asLong()).isEqualTo(910);
		assertThat(report.at("/compression/ratio").asDouble()).isEqualTo(2.75);
		assertThat(report.at("/backlog/pendingRows").asLong()).isEqualTo(3);
		assertThat(report.at("/backlog/oldestPendingSeconds").asLong()).isEqualTo(3 * 3600);
		assertThat(report.at("/backlog/keysDeferred").asLong()).isEqualTo(2);
		assertThat(report.at("/backlog/asOf").asString()).isEqualTo("2026-11-24T00:00:00Z");
		assertThat(report.at("/deadLetters/created").asLong()).isEqualTo(2);
		assertThat(report.at("/deadLetters/total").asLong()).isEqualTo(3);
		assertThat(report.at("/forecast/writesLeft").asLong()).isEqualTo(140);
		assertThat(report.at("/forecast/uploads").asLong()).isEqualTo(16);
		assertThat(report.at("/forecast/changes").asLong()).isEqualTo(390);
		assertThat(report.get("history")).hasSize(14);
		assertThat(report.at("/history/12/kvWrites").asLong()).isEqualTo(400);
		assertThat(report.at("/history/13/kvWrites").asLong()).isEqualTo(860);
		assertThat(report.at("/history/13/stagedWrites").asLong()).isEqualTo(2500);
		assertThat(report.get("account").isNull()).isTrue();
	}

	private Map<String, byte[]> files() throws IOException {
		Map<String, byte[]> files = new LinkedHashMap<>();
		try (var paths = Files.list(this.dataDir.resolve("reports"))) {
			for (Path path : paths.sorted().toList()) {
				files.put(path.getFileName().toString(), Files.readAllBytes(path));
			}
		}
		return files;
	}

	/** The leaf parts of a message by content type, content id or file name. */
	private static Map<String, Part> parts(Part part) throws MessagingException, IOException {
		Map<String, Part> parts = new LinkedHashMap<>();
		List<Part> pending = new ArrayList<>(List.of(part));
		while (!pending.isEmpty()) {
			Part next = pending.remove(0);
			if (next.getContent() instanceof Multipart multipart) {
				for (int i = 0; i < multipart.getCount(); i++) {
					BodyPart body = multipart.getBodyPart(i);
					pending.add(body);
				}
				continue;
			}
			if (next.getHeader("Content-ID") != null) {
				parts.put(next.getHeader("Content-ID")[0], next);
			}
			else if (next.getFileName() != null) {
				parts.put(next.getFileName(), next);
			}
			else {
				parts.put(next.getContentType().replaceAll(";.*", "").trim().toLowerCase(), next);
			}
		}
		return parts;
	}

	private static byte[] bytes(Part part) throws MessagingException, IOException {
		try (InputStream in = part.getInputStream()) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			in.transferTo(out);
			return out.toByteArray();
		}
	}

}
