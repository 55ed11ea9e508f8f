package dev.kvbatch.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kvbatch.stage.RecordValidator;
import dev.kvbatch.stage.StageSummary;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.stage.DeadLetters.DeadLetter;
import dev.kvbatch.stage.DeadLetters.Outcome;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "dead-letters", mixinStandardHelpOptions = true,
		description = { "Lists rejected records: where each came from (file and line), the field and why.",
				"Subcommands stage them again once the rules or the input are fixed, or mark them resolved." },
		subcommands = { DeadLettersCommand.Restage.class, DeadLettersCommand.Resolve.class })
class DeadLettersCommand implements Callable<Integer> {

	/** Letters listed or staged again per query: bounded, as every drain is. */
	static final int BATCH = 1000;

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
		.withZone(ZoneOffset.UTC);

	/** Sources whose {@code raw} is not a staging line. */
	private static final Map<String, String> NOT_LINES = Map.of("outbox",
			"is an outbox row the rules could no longer place, and its value was not kept: stage the record again"
					+ " from where it came from",
			"migrate", "is a legacy key migrate could not load: fix the key in KV, then run kvbatch run migrate again");

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Option(names = "--since", paramLabel = "D",
			description = "only letters created since this UTC day (YYYY-MM-DD) or instant (ISO-8601)")
	String since;

	@Option(names = "--source", paramLabel = "S", description = "only letters from this file (or -, outbox, migrate)")
	String source = "";

	@Option(names = "--open", description = "only letters neither staged again nor resolved")
	boolean open;

	@Option(names = "--json",
			description = "one JSON object per line: id, source, line, field, reason, raw, createdAt, status, ...")
	boolean json;

	@Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
			description = "at most N, oldest first (default ${DEFAULT-VALUE})")
	int limit;

	@Override
	public Integer call() {
		Instant from = since(this.since);
		if (this.limit < 1) {
			throw new CommandException(ExitCodes.USAGE, "--limit must be 1 or more, was " + this.limit);
		}
		try (ConfigurableApplicationContext context = this.parent.contexts.full()) {
			PrintWriter out = this.spec.commandLine().getOut();
			JsonMapper mapper = context.getBean(JsonMapper.class);
			List<DeadLetter> letters = context.getBean(DeadLetters.class)
				.list(from, this.source, this.open, this.limit);
			if (this.json) {
				letters.forEach((letter) -> out.println(mapper.writeValueAsString(asMap(letter))));
				return ExitCodes.OK;
			}
			out.printf("%-6s %-19s %-28s %-10s %-9s %s%n", "ID", "CREATED (UTC)", "SOURCE:LINE", "FIELD", "STATUS",
					"REASON");
			for (DeadLetter letter : letters) {
				out.printf("%-6d %-19s %-28s %-10s %-9s %s%n", letter.id(), TIME.format(letter.createdAt()),
						letter.source() + ":" + letter.line(), (letter.field() != null) ? letter.field() : "-",
						letter.status(), letter.reason());
			}
			long openLetters = letters.stream().filter(DeadLetter::open).count();
			if (openLetters > 0) {
				this.spec.commandLine()
					.getErr()
					.printf("%d open: once the rules or the input are fixed, kvbatch dead-letters restage --id ID..."
							+ " (or --all) stages them again%n", openLetters);
			}
			return ExitCodes.OK;
		}
	}

	private static Instant since(@Nullable String value) {
		if (value == null) {
			return Instant.EPOCH;
		}
		try {
			return (value.length() == 10) ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
					: Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw new CommandException(ExitCodes.USAGE,
					"--since must be a UTC day (YYYY-MM-DD) or an ISO-8601 instant, was \"" + value + "\"");
		}
	}

	private static Map<String, Object> asMap(DeadLetter letter) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("id", letter.id());
		map.put("source", letter.source());
		map.put("line", letter.line());
		map.put("field", letter.field());
		map.put("reason", letter.reason());
		map.put("raw", letter.raw());
		map.put("createdAt", letter.createdAt().toString());
		map.put("status", letter.status());
		map.put("restagedAt", (letter.restagedAt() != null) ? letter.restagedAt().toString() : null);
		map.put("restagedTo", letter.restagedTo());
		map.put("resolvedAt", (letter.resolvedAt() != null) ? letter.resolvedAt().toString() : null);
		map.put("resolution", letter.resolution());
		return map;
	}

	/** Which letters a subcommand acts on. */
	static class Selection {

		@Option(names = "--id", paramLabel = "N", arity = "1..*", split = ",", description = "these letters")
		List<Long> ids;

		@Option(names = "--all", description = "every open letter")
		boolean all;

	}

	@Command(name = "restage", mixinStandardHelpOptions = true,
			description = { "Stages the stored lines of dead letters again.", "It uses the same validation as",
					"kvbatch stage, into one spool file the next compress ingests. Each letter is marked",
					"re-staged (with the spool file), never deleted; a line still refused becomes a new",
					"dead letter whose source names the old one (dead-letter-ID)." })
	static class Restage implements Callable<Integer> {

		@ParentCommand
		DeadLettersCommand deadLetters;

		@Spec
		CommandSpec spec;

		@ArgGroup(exclusive = true, multiplicity = "1")
		Selection selection;

		@Override
		public Integer call() throws Exception {
			PrintWriter out = this.spec.commandLine().getOut();
			try (ConfigurableApplicationContext context = this.deadLetters.parent.contexts.full()) {
				DeadLetters archive = context.getBean(DeadLetters.class);
				Stager stager = context.getBean(Stager.class);
				JsonMapper mapper = context.getBean(JsonMapper.class);
				if (!this.selection.all) {
					List<DeadLetter> letters = new ArrayList<>();
					for (long id : this.selection.ids) {
						DeadLetter letter = archive.find(id)
							.orElseThrow(() -> new CommandException(ExitCodes.USAGE, "no dead letter " + id
									+ " (kvbatch dead-letters lists them; retention removes them after 30 days)"));
						String problem = whyNot(letter);
						if (problem != null) {
							throw new CommandException(ExitCodes.USAGE, "dead letter " + id + " " + problem);
						}
						letters.add(letter);
					}
					restage(letters, stager, archive, mapper, out);
					return ExitCodes.OK;
				}
				long after = 0;
				int skipped = 0;
				int staged = 0;
				for (List<DeadLetter> batch = archive.openAfter(after, BATCH); !batch.isEmpty(); batch = archive
					.openAfter(after, BATCH)) {
					after = batch.get(batch.size() - 1).id();
					List<DeadLetter> stageable = batch.stream().filter((letter) -> whyNot(letter) == null).toList();
					skipped += batch.size() - stageable.size();
					staged += stageable.size();
					restage(stageable, stager, archive, mapper, out);
				}
				if (skipped > 0) {
					out.printf(
							"left %d open letters that cannot be staged again (from the outbox or migrate, or cut"
									+ " to %,d characters): kvbatch dead-letters --open lists them%n",
							skipped, RecordValidator.MAX_RAW_CHARS);
				}
				if (staged == 0 && skipped == 0) {
					out.println("no open dead letters");
				}
				return ExitCodes.OK;
			}
		}

		private static void restage(List<DeadLetter> letters, Stager stager, DeadLetters archive, JsonMapper mapper,
				PrintWriter out) throws Exception {
			if (letters.isEmpty()) {
				return;
			}
			List<Stager.Source> sources = new ArrayList<>();
			for (DeadLetter letter : letters) {
				sources.add(new Stager.Source(sourceName(letter.id()),
						new ByteArrayInputStream(line(letter, mapper).getBytes(StandardCharsets.UTF_8))));
			}
			Map<String, String> rejected = new LinkedHashMap<>();
			StageSummary summary = stager.stage(sources, (assigned) -> out.println("  " + assigned),
					(rejection) -> rejected.put(rejection.source(), rejection.message()));
			List<Outcome> outcomes = new ArrayList<>();
			for (DeadLetter letter : letters) {
				String again = rejected.get(sourceName(letter.id()));
				String result = (again != null) ? "rejected again: " + again : "accepted";
				outcomes.add(new Outcome(letter.id(), result));
				out.printf("dead letter %d (%s:%d): %s%n", letter.id(), letter.source(), letter.line(), result);
			}
			String spoolFile = (summary.spoolFile() != null) ? summary.spoolFile().getFileName().toString() : "-";
			archive.markRestaged(outcomes, spoolFile);
			out.printf(
					"staged %d dead letters again into %s: %d accepted, %d rejected again%s;"
							+ " the next compress ingests them%n",
					letters.size(), spoolFile, summary.accepted(), summary.rejected(),
					(summary.rejected() > 0) ? " (each a new dead letter, dead-letter-ID)" : "");
		}

		/**
		 * The letter's line as a staging line: the fields kvbatch adds to spool lines
		 * ({@code seq}, {@code stagedAt}) are dropped, and a record without an
		 * idempotency id gets {@code dead-letter-<id>}, so a restage run again after a
		 * crash stages it once.
		 */
		static String line(DeadLetter letter, JsonMapper mapper) {
			String raw = String.valueOf(letter.raw());
			JsonNode node;
			try {
				node = mapper.readTree(raw);
			}
			catch (JacksonException ex) {
				return raw;
			}
			if (!(node instanceof ObjectNode record)) {
				return raw;
			}
			record.remove("seq");
			record.remove("stagedAt");
			if (!record.has("id")) {
				record.put("id", sourceName(letter.id()));
			}
			return mapper.writeValueAsString(record);
		}

		static String sourceName(long id) {
			return "dead-letter-" + id;
		}

		/** Why a letter cannot be staged again, or null when it can. */
		static @Nullable String whyNot(DeadLetter letter) {
			if (letter.resolvedAt() != null) {
				return "was resolved already, at " + letter.resolvedAt();
			}
			if (letter.restagedAt() != null) {
				return "was staged again already, into " + letter.restagedTo() + " at " + letter.restagedAt();
			}
			String notALine = NOT_LINES.get(letter.source());
			if (notALine != null) {
				return notALine;
			}
			if (letter.raw() == null || letter.raw().length() >= RecordValidator.MAX_RAW_CHARS) {
				return "keeps only the first %,d characters of its line: stage the fixed line from %s:%d instead"
					.formatted(RecordValidator.MAX_RAW_CHARS, letter.source(), letter.line());
			}
			return null;
		}

	}

	@Command(name = "resolve", mixinStandardHelpOptions = true,
			description = "Marks dead letters as handled (for example, fixed and staged again from their source);"
					+ " they are kept, marked resolved, until retention removes them.")
	static class Resolve implements Callable<Integer> {

		@ParentCommand
		DeadLettersCommand deadLetters;

		@Spec
		CommandSpec spec;

		@Option(names = "--id", paramLabel = "N", arity = "1..*", split = ",", required = true,
				description = "these letters")
		List<Long> ids;

		@Option(names = "--note", paramLabel = "TEXT", defaultValue = "resolved by hand",
				description = "how it was handled (default: ${DEFAULT-VALUE})")
		String note;

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.deadLetters.parent.contexts.full()) {
				DeadLetters archive = context.getBean(DeadLetters.class);
				for (long id : this.ids) {
					if (archive.find(id).isEmpty()) {
						throw new CommandException(ExitCodes.USAGE, "no dead letter " + id);
					}
				}
				int marked = archive.markResolved(this.ids, this.note);
				this.spec.commandLine()
					.getOut()
					.printf("resolved %d dead letter%s%s%n", marked, (marked == 1) ? "" : "s",
							(marked < this.ids.size()) ? " (" + (this.ids.size() - marked) + " were resolved already)"
									: "");
				return ExitCodes.OK;
			}
		}

	}

}
