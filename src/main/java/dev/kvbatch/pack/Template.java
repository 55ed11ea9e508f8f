package dev.kvbatch.pack;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A rules-file template: literal text and {@code {var}}, {@code {var:day}} or
 * {@code {var:hour}} placeholders. There is no escaping: a template cannot contain a
 * literal brace.
 */
final class Template {

	/** The variable that stands for the record's event time. */
	static final String AT = "at";

	private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

	private final String text;

	private final List<Part> parts;

	private Template(String text, List<Part> parts) {
		this.text = text;
		this.parts = parts;
	}

	/**
	 * Parse a template.
	 * @param text the template text
	 * @return the template
	 * @throws IllegalArgumentException if the text is empty, has an unbalanced brace, a
	 * bad variable name or an unknown format; the message says which
	 */
	static Template parse(String text) {
		if (text.isEmpty()) {
			throw new IllegalArgumentException("is empty");
		}
		List<Part> parts = new ArrayList<>();
		int i = 0;
		while (i < text.length()) {
			int open = text.indexOf('{', i);
			int close = text.indexOf('}', i);
			if (close >= 0 && (open < 0 || close < open)) {
				throw new IllegalArgumentException("has a '}' without a '{' at position " + close);
			}
			if (open < 0) {
				parts.add(new Literal(text.substring(i)));
				break;
			}
			if (open > i) {
				parts.add(new Literal(text.substring(i, open)));
			}
			if (close < 0) {
				throw new IllegalArgumentException("has a '{' without a '}' at position " + open);
			}
			parts.add(variable(text.substring(open + 1, close)));
			i = close + 1;
		}
		return new Template(text, List.copyOf(parts));
	}

	private static Variable variable(String spec) {
		int colon = spec.indexOf(':');
		String name = (colon < 0) ? spec : spec.substring(0, colon);
		if (!NAME.matcher(name).matches()) {
			throw new IllegalArgumentException(
					"has a bad variable name {" + spec + "} (use letters, digits and '_', not starting with a digit)");
		}
		if (colon < 0) {
			return new Variable(name, null);
		}
		String format = spec.substring(colon + 1);
		for (TimeFormat candidate : TimeFormat.values()) {
			if (candidate.label.equals(format)) {
				return new Variable(name, candidate);
			}
		}
		throw new IllegalArgumentException("has an unknown format {" + spec + "} (use :day or :hour)");
	}

	String text() {
		return this.text;
	}

	List<Part> parts() {
		return this.parts;
	}

	/** The names of the variables, in order of first use. */
	Set<String> variables() {
		Set<String> names = new LinkedHashSet<>();
		for (Part part : this.parts) {
			if (part instanceof Variable variable) {
				names.add(variable.name());
			}
		}
		return names;
	}

	/**
	 * A regular expression for this template: used on a match pattern it captures each
	 * variable in a group, in order; used on a key template it matches everything
	 * {@link #render} can produce.
	 * @param variableRegex the expression each variable matches
	 * @param capture whether to capture variables in groups
	 * @return the expression
	 */
	String toRegex(Map<String, String> variableRegex, boolean capture) {
		StringBuilder regex = new StringBuilder();
		for (Part part : this.parts) {
			if (part instanceof Literal literal) {
				regex.append(Pattern.quote(literal.text()));
			}
			else if (part instanceof Variable variable) {
				TimeFormat format = variable.format();
				regex.append((format != null) ? format.regex
						: ((capture) ? "(" : "(?:") + variableRegex.get(variable.name()) + ")");
			}
		}
		return regex.toString();
	}

	/**
	 * Fill in the template.
	 * @param values the captured variables
	 * @param at the record's event time, for {@code {at:day}} and {@code {at:hour}}
	 * @return the text
	 * @throws IllegalArgumentException if a variable formatted as a time is not epoch
	 * milliseconds
	 */
	String render(Map<String, String> values, Instant at) {
		StringBuilder out = new StringBuilder();
		for (Part part : this.parts) {
			if (part instanceof Literal literal) {
				out.append(literal.text());
			}
			else if (part instanceof Variable variable) {
				TimeFormat format = variable.format();
				if (format == null) {
					out.append(values.get(variable.name()));
				}
				else {
					Instant time = AT.equals(variable.name()) ? at
							: epochMillis(variable.name(), format, values.get(variable.name()));
					out.append(format.formatter.format(time));
				}
			}
		}
		return out.toString();
	}

	private static Instant epochMillis(String name, TimeFormat format, @Nullable String value) {
		if (value != null && !value.isEmpty() && value.length() <= 18 && value.chars().allMatch(Template::isDigit)) {
			// 18 digits cannot overflow a long, and reach far past any real timestamp
			return Instant.ofEpochMilli(Long.parseLong(value));
		}
		throw new IllegalArgumentException(
				"{" + name + ":" + format.label + "} needs epoch milliseconds (digits), got \"" + value + "\"");
	}

	private static boolean isDigit(int c) {
		return c >= '0' && c <= '9';
	}

	@Override
	public String toString() {
		return this.text;
	}

	/** A piece of a template. */
	sealed interface Part permits Literal, Variable {

	}

	/**
	 * Literal text.
	 *
	 * @param text the text
	 */
	record Literal(String text) implements Part {
	}

	/**
	 * A placeholder.
	 *
	 * @param name the variable
	 * @param format how a time is formatted, or {@code null} to insert the value as is
	 */
	record Variable(String name, @Nullable TimeFormat format) implements Part {
	}

	/** A UTC time bucket. */
	enum TimeFormat {

		/** {@code YYYY-MM-DD}. */
		DAY("day", "uuuu-MM-dd", "[+-]?\\d{4,}-\\d{2}-\\d{2}"),

		/** {@code YYYY-MM-DDTHH}. */
		HOUR("hour", "uuuu-MM-dd'T'HH", "[+-]?\\d{4,}-\\d{2}-\\d{2}T\\d{2}");

		final String label;

		final DateTimeFormatter formatter;

		final String regex;

		TimeFormat(String label, String pattern, String regex) {
			this.label = label;
			this.formatter = DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
			this.regex = regex;
		}

	}

}
