package dev.kvbatch.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How {@code --help} lays text out: a command's description is one paragraph that picocli
 * wraps to the screen (commands write it as several strings, which picocli would
 * otherwise print as separate lines, each cut where the string ends), and a list of
 * commands shows each one's first sentence whole rather than its first string.
 */
final class HelpLayout {

	private static final Pattern FIRST_SENTENCE = Pattern.compile("^(.+?[.!?])(?:\\s|$)");

	private HelpLayout() {
	}

	/** Applies the layout to a command line and all its subcommands. */
	static void apply(CommandLine line) {
		UsageMessageSpec usage = line.getCommandSpec().usageMessage();
		String[] description = usage.description();
		if (description.length > 1) {
			usage.description(paragraph(description));
		}
		if (!line.getSubcommands().isEmpty()) {
			usage.sectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, (help) -> {
				Map<String, String> rows = new LinkedHashMap<>();
				help.subcommands().forEach((name, sub) -> rows.put(name, summary(sub.commandSpec())));
				return help.createTextTable(rows).toString();
			});
		}
		line.getSubcommands().values().forEach(HelpLayout::apply);
	}

	/** The first sentence of a command's description (or its header). */
	static String summary(CommandSpec spec) {
		String[] header = spec.usageMessage().header();
		String text = paragraph((header.length > 0) ? header : spec.usageMessage().description());
		Matcher sentence = FIRST_SENTENCE.matcher(text);
		return sentence.find() ? sentence.group(1) : text;
	}

	private static String paragraph(String[] lines) {
		return String.join(" ", lines).replaceAll("\\s+", " ").trim();
	}

}
