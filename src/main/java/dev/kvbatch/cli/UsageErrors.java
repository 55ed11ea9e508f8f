package dev.kvbatch.cli;

import java.util.List;
import java.util.stream.Collectors;

import dev.kvbatch.jobs.JobRuns;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line picocli could not parse, as one line that says what is wrong and what to
 * type instead (picocli's own report is several lines and the whole usage help).
 */
final class UsageErrors {

	private UsageErrors() {
	}

	static String describe(ParameterException ex) {
		CommandLine command = ex.getCommandLine();
		String name = command.getCommandSpec().qualifiedName(" ");
		String help = " (see " + name + " --help)";
		if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
			String first = unmatched.getUnmatched().get(0);
			boolean root = command.getParent() == null;
			if (root && JobRuns.JOBS.contains(first)) {
				return "\"%s\" is a job, not a command: run it with kvbatch run %s".formatted(first, first);
			}
			List<String> suggestions = unmatched.getSuggestions();
			String didYouMean = suggestions.isEmpty() ? ""
					: " (did you mean " + suggestions.stream().limit(3).collect(Collectors.joining(" or ")) + "?)";
			if (first.startsWith("-")) {
				return "unknown option %s for %s%s%s".formatted(first, name, didYouMean, help);
			}
			if (root || !command.getSubcommands().isEmpty()) {
				return "unknown command \"%s\"%s; commands: %s".formatted(first, didYouMean,
						String.join(", ", command.getSubcommands().keySet()));
			}
			return "unexpected argument \"%s\" for %s%s".formatted(first, name, help);
		}
		return oneLine(ex.getMessage()) + help;
	}

	private static String oneLine(@Nullable String message) {
		return (message != null) ? message.replaceAll("\\s+", " ").trim() : "invalid command line";
	}

}
