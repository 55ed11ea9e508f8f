package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mistakes a new user makes, each tried as they would: the exit code of the contract,
 * and stderr (the command's own output and every log line, as a terminal shows them) one
 * line without a stack trace, naming what is wrong and how to fix it.
 */
@ExtendWith(OutputCaptureExtension.class)
class MistakesTests {

	@TempDir
	Path tmp;

	private FakeCloudflareKv kv;

	@AfterEach
	void stopCloudflare() {
		if (this.kv != null) {
			this.kv.stopServer();
		}
	}

	@Test
	void aMistypedJobParameterIsRefusedBeforeAnyExecution(CapturedOutput output) {
		Run run = run(output, "run", "prune", "dryrun=true");

		run.assertOneLine(ExitCodes.USAGE,
				"kvbatch: prune takes no parameter \"dryrun\" (did you mean dry-run?); prune takes dry-run=true|false");
		assertThat(TableRows.count(data(), "BATCH_JOB_INSTANCE")).as("no instance, no execution").isZero();
	}

	@Test
	void aJobParameterThatIsNotABooleanIsRefused(CapturedOutput output) {
		run(output, "run", "prune", "dry-run=banana").assertOneLine(ExitCodes.USAGE,
				"kvbatch: job parameter dry-run must be true or false, was \"banana\"");
		run(output, "run", "compress", "chunk=10").assertOneLine(ExitCodes.USAGE,
				"kvbatch: compress takes no parameter \"chunk\"; compress takes flush=all");
	}

	@Test
	void aMistypedSettingIsRefusedWithTheClosestName(CapturedOutput output) {
		run(output, "run", "compress", "--kvbatch.targt=cloudflare").assertOneLine(ExitCodes.USAGE,
				"kvbatch: unknown setting --kvbatch.targt (did you mean --kvbatch.target?)");
		assertThat(data().resolve("kvbatch.mv.db")).as("refused before the database opens").doesNotExist();
	}

	@Test
	void aSettingRefusedBeforeLoggingStartsIsOneLineInAFreshProcess() {
		// In a process of its own: in this JVM, logging was set up by earlier tests.
		Path log = this.tmp.resolve("child.log");
		int exit;
		String printed;
		try (ChildJvm child = ChildJvm.start(log, List.of(), "run", "compress", "--kvbatch.targt=cloudflare",
				"--kvbatch.data-dir=" + data())) {
			exit = child.waitFor();
			printed = child.output();
		}

		assertThat(exit).as(printed).isEqualTo(ExitCodes.USAGE);
		assertThat(printed).as("one line, no stack trace")
			.isEqualTo("kvbatch: unknown setting --kvbatch.targt (did you mean --kvbatch.target?)\n");
	}

	@Test
	void aJobsFolderThatDoesNotExistIsRefusedInsteadOfUsingTheBundledRules(CapturedOutput output) {
		Path missing = this.tmp.resolve("my-jobs");

		run(output, "run", "compress", "--kvbatch.jobs-dir=" + missing).assertOneLine(ExitCodes.USAGE,
				"kvbatch: the jobs folder " + missing + " (kvbatch.jobs-dir, KVBATCH_JOBS_DIR) does not exist: create"
						+ " it with your packing.yaml, or leave the setting out to use the rules bundled in kvbatch");
	}

	@Test
	void aDataFolderThatIsAFileIsAConfigurationError(CapturedOutput output) throws IOException {
		Path file = Files.writeString(this.tmp.resolve("data.txt"), "not a folder");

		run(output, "run", "compress", "--kvbatch.data-dir=" + file).assertOneLine(ExitCodes.USAGE,
				"kvbatch: the data folder " + file + " (kvbatch.data-dir, KVBATCH_DATA_DIR) is a file: point the"
						+ " setting at a folder, which will hold the H2 database, the spool and the reports");
	}

	@Test
	void aDataFolderThatCannotBeCreatedIsAConfigurationError(CapturedOutput output) throws IOException {
		Path file = Files.writeString(this.tmp.resolve("data.txt"), "not a folder");
		Path below = file.resolve("data");

		Run run = run(output, "kv", "list", "--kvbatch.data-dir=" + below);

		run.assertOneLine(ExitCodes.USAGE, "kvbatch: cannot create the data folder " + below
				+ " (kvbatch.data-dir, KVBATCH_DATA_DIR): " + file + " is a file");
	}

	@Test
	void mailingWithoutMailSettingsIsRefusedWithoutAFailedExecution(CapturedOutput output) {
		run(output, "run", "usage-report", "mail=true").assertOneLine(ExitCodes.USAGE,
				"kvbatch: job parameter mail=true needs kvbatch.report.mail.to (KVBATCH_REPORT_MAIL_TO) and"
						+ " spring.mail.host (SPRING_MAIL_HOST)");
		run(output, "run", "usage-report", "--kvbatch.report.mail.to=ops@example.com").assertOneLine(ExitCodes.USAGE,
				"kvbatch: mailing the report needs spring.mail.host (SPRING_MAIL_HOST)");
		assertThat(TableRows.count(data(), "BATCH_JOB_EXECUTION")).isZero();
	}

	@Test
	void operatorCommandsOnAFinishedExecutionSayWhatWouldApply(CapturedOutput output) {
		Run compress = run(output, "run", "compress");
		compress.assertNoErrors();
		assertThat(compress.out()).as("the summary names the target, the data folder and the rules")
			.contains("  on       target local (the embedded store), data " + data()
					+ ", rules bundled (no packing.yaml in " + this.tmp.resolve("jobs/no-jobs-dir") + ")\n");

		run(output, "stop", "1").assertOneLine(ExitCodes.USAGE,
				"kvbatch: execution 1 (compress) is COMPLETED, not running: there is nothing to stop");
		run(output, "abandon", "1").assertOneLine(ExitCodes.USAGE,
				"kvbatch: execution 1 (compress) is COMPLETED: only a STOPPED or FAILED execution can be abandoned");
		run(output, "recover", "1").assertOneLine(ExitCodes.USAGE, "kvbatch: execution 1 (compress) is COMPLETED:"
				+ " recover is for an execution a killed process left STARTED; there is nothing to recover");
		run(output, "restart", "1").assertOneLine(ExitCodes.USAGE, "kvbatch: execution 1 (compress) is COMPLETED:"
				+ " nothing to restart; start a new run with kvbatch run compress");
		assertThat(TableRows.rows(data(), "SELECT STATUS FROM BATCH_JOB_EXECUTION")).containsExactly("COMPLETED");
	}

	@Test
	void aMissingKeyIsAUsageError(CapturedOutput output) {
		run(output, "kv", "get", "missing-key").assertOneLine(ExitCodes.USAGE,
				"kvbatch: no key \"missing-key\" in the local target; kvbatch kv list shows the keys there");
	}

	@Test
	void aReportDateMustBeADayOrTodayOrYesterday(CapturedOutput output) {
		run(output, "report", "--date", "yesterdy").assertOneLine(ExitCodes.USAGE,
				"kvbatch: --date must be a UTC day as YYYY-MM-DD (e.g. 2026-11-23), today or yesterday, was"
						+ " \"yesterdy\"");
		Run yesterday = run(output, "report", "--date", "yesterday");
		yesterday.assertNoErrors();
		assertThat(yesterday.out()).startsWith("kvbatch usage report for ");
	}

	@Test
	void aNegativeLimitIsAUsageError(CapturedOutput output) {
		run(output, "executions", "--limit", "-3").assertOneLine(ExitCodes.USAGE,
				"kvbatch: --limit must be 1 or more, was -3");
	}

	@Test
	void aJobGivenAsACommandPointsAtRun(CapturedOutput output) {
		run(output, "compress").assertOneLine(ExitCodes.USAGE,
				"kvbatch: \"compress\" is a job, not a command: run it with kvbatch run compress");
	}

	@Test
	void aSettingWithASpaceInsteadOfEqualsShowsTheFix(CapturedOutput output) {
		run(output, "run", "compress", "--kvbatch.data-dir", "/var/lib/kvbatch").assertOneLine(ExitCodes.USAGE,
				"kvbatch: setting --kvbatch.data-dir needs its value after \"=\", not a space:"
						+ " --kvbatch.data-dir=/var/lib/kvbatch");
	}

	@Test
	void anUnknownOptionNamesTheClosestOne(CapturedOutput output) {
		run(output, "executions", "--limt", "3").assertOneLine(ExitCodes.USAGE,
				"kvbatch: unknown option --limt for kvbatch executions (did you mean --limit?)"
						+ " (see kvbatch executions --help)");
	}

	@Test
	void aRefusedTokenIsOneLineAndExit2(CapturedOutput output) throws IOException {
		refuseEveryRequestWith(401);
		stageOneRecord(output);

		Run run = run(output, cloudflare("run", "compress"));

		run.assertOneLine(ExitCodes.USAGE,
				"kvbatch: Cloudflare refused the API token for a KV write (HTTP 401, code 10000: Authentication error):"
						+ " it needs the \"Workers KV Storage Write\" permission on account "
						+ FakeCloudflareKv.ACCOUNT);
	}

	@Test
	void debugAddsTheStackTraceAndSpringBatchsLog(CapturedOutput output) throws IOException {
		refuseEveryRequestWith(403);
		stageOneRecord(output);

		Run run = run(output, cloudflare("run", "compress", "--debug"));

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(run.err()).contains("kvbatch: Cloudflare refused the API token for a KV write (HTTP 403",
				"dev.kvbatch.kv.KvAuthException", "\tat dev.kvbatch.kv.cloudflare.CloudflareClient",
				"Executing step: [flush]");
	}

	@Test
	void aRefusalARestartWouldRepeatDoesNotSayRestartWith(CapturedOutput output) throws IOException {
		// A refusal of the request itself, not of its items (those are set aside as dead
		// letters): a restart sends the same request again.
		refuseEveryRequestWith(400, 7003, "No route for the URI");
		stageOneRecord(output);

		Run run = run(output, cloudflare("run", "compress"));

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(run.errLines()).containsExactly(
				"kvbatch: Cloudflare KV refused the write: HTTP 400, code 7003: No route for the URI",
				"kvbatch: a restart sends the same request again: fix what the target refused, then restart:"
						+ " kvbatch restart 1");
	}

	@Test
	void aServerErrorSaysRestartWith(CapturedOutput output) throws IOException {
		refuseEveryRequestWith(503);
		stageOneRecord(output);

		Run run = run(output, cloudflare("run", "compress", "--kvbatch.cloudflare.max-retries=0"));

		assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(run.errLines()).as("a warning per attempt, then the failure")
			.hasSize(3)
			.endsWith(
					"kvbatch: Cloudflare KV write (PUT /bulk) failed 1 times, giving up for now: HTTP 503, code 10000:"
							+ " Something is wrong",
					"kvbatch: restart with: kvbatch restart 1");
	}

	private void refuseEveryRequestWith(int status) {
		String message = (status == 401 || status == 403) ? "Authentication error" : "Something is wrong";
		refuseEveryRequestWith(status, 10000, message);
	}

	private void refuseEveryRequestWith(int status, int code, String message) {
		this.kv = FakeCloudflareKv.startServer();
		this.kv.server()
			.stubFor(WireMock.any(WireMock.urlPathMatching(".*"))
				.atPriority(1)
				.willReturn(aResponse().withStatus(status).withBody(FakeCloudflareKv.errorBody(code, message))));
	}

	private void stageOneRecord(CapturedOutput output) throws IOException {
		Path input = Files.writeString(this.tmp.resolve("input.jsonl"), "{\"op\":\"put\",\"key\":\"a\",\"value\":1}\n");
		run(output, "stage", input.toString()).assertNoErrors();
	}

	private String[] cloudflare(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--kvbatch.target=cloudflare");
		all.add("--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT);
		all.add("--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE);
		all.add("--kvbatch.cloudflare.api-token=" + FakeCloudflareKv.TOKEN);
		all.add("--kvbatch.cloudflare.base-url=" + this.kv.baseUrl());
		all.add("--kvbatch.cloudflare.retry-delay=1ms");
		return all.toArray(String[]::new);
	}

	private Path data() {
		return this.tmp.resolve("data");
	}

	/**
	 * Runs a command line as {@code ./kvbatch} does, on the process's own stdout and
	 * stderr, so that log lines count too; a data and an (empty) jobs folder are added
	 * unless the command line sets them.
	 */
	private Run run(CapturedOutput output, String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		if (all.stream().noneMatch((arg) -> arg.startsWith("--kvbatch.data-dir"))) {
			all.add("--kvbatch.data-dir=" + data());
		}
		if (all.stream().noneMatch((arg) -> arg.startsWith("--kvbatch.jobs-dir"))) {
			all.add("--kvbatch.jobs-dir=" + CliRun.noJobsDir(this.tmp.resolve("jobs")));
		}
		int outBefore = output.getOut().length();
		int errBefore = output.getErr().length();
		int code = new Cli().run(all.toArray(String[]::new));
		return new Run(code, output.getOut().substring(outBefore), output.getErr().substring(errBefore));
	}

	private record Run(int exitCode, String out, String err) {

		List<String> errLines() {
			return this.err.lines().toList();
		}

		void assertOneLine(int expectedCode, String line) {
			assertThat(this.exitCode).as(toString()).isEqualTo(expectedCode);
			assertThat(this.err).as("stderr is this one line, no stack trace").isEqualTo(line + "\n");
		}

		void assertNoErrors() {
			assertThat(this.exitCode).as(toString()).isZero();
			assertThat(this.err).as(toString()).isEmpty();
		}

		@Override
		public String toString() {
			return "exit " + this.exitCode + "\n--- stdout\n" + this.out + "--- stderr\n" + this.err;
		}

	}

}
