package dev.kvbatch.pack;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The time bucket in a rule's physical keys, read back from a key: the end of the day or
 * hour that {@code {…:day}} or {@code {…:hour}} formatted into it. Immutable and
 * thread-safe.
 */
final class Buckets {

	private final Pattern pattern;

	private final Template.TimeFormat format;

	private Buckets(Pattern pattern, Template.TimeFormat format) {
		this.pattern = pattern;
		this.format = format;
	}

	/** The buckets of a key template, or {@code null} when it formats no time. */
	static @Nullable Buckets of(@Nullable Template key) {
		if (key == null) {
			return null;
		}
		StringBuilder regex = new StringBuilder();
		Template.TimeFormat bucket = null;
		for (Template.Part part : key.parts()) {
			if (part instanceof Template.Literal literal) {
				regex.append(Pattern.quote(literal.text()));
			}
			else if (part instanceof Template.Variable variable) {
				Template.TimeFormat format = variable.format();
				if (format != null && bucket == null) {
					bucket = format;
					regex.append('(').append(format.regex).append(')');
				}
				else {
					regex.append((format != null) ? format.regex : ".+?");
				}
			}
		}
		return (bucket != null) ? new Buckets(Pattern.compile(regex.toString()), bucket) : null;
	}

	/** The bucket's time unit: {@code day} or {@code hour}. */
	String unit() {
		return this.format.label;
	}

	/**
	 * When the bucket a physical key holds ends.
	 * @param physicalKey a key this rule produced
	 * @return the end of its day or hour, or {@code null} if the key is not one of this
	 * rule's
	 */
	@Nullable Instant closesAt(String physicalKey) {
		Matcher matcher = this.pattern.matcher(physicalKey);
		if (!matcher.matches()) {
			return null;
		}
		String text = matcher.group(1);
		try {
			if (this.format == Template.TimeFormat.DAY) {
				return LocalDate.parse(text).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
			}
			int t = text.lastIndexOf('T');
			return LocalDate.parse(text.substring(0, t))
				.atStartOfDay(ZoneOffset.UTC)
				.plusHours(Integer.parseInt(text.substring(t + 1)) + 1L)
				.toInstant();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
