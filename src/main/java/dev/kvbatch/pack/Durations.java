package dev.kvbatch.pack;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Durations as operators write them in the rules file: {@code 0}, {@code 90s},
 * {@code 15m}, {@code 6h}, {@code 1d}, or ISO-8601 ({@code PT6H}).
 */
final class Durations {

	private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?");

	private Durations() {
	}

	/**
	 * @return the duration, or {@code null} if the text is not one (or is negative)
	 */
	static @Nullable Duration parse(String text) {
		Matcher short_ = SHORT.matcher(text.trim());
		if (short_.matches()) {
			long amount = Long.parseLong(short_.group(1));
			String unit = short_.group(2);
			if (unit == null) {
				return (amount == 0) ? Duration.ZERO : null;
			}
			return switch (unit) {
				case "ms" -> Duration.ofMillis(amount);
				case "s" -> Duration.ofSeconds(amount);
				case "m" -> Duration.ofMinutes(amount);
				case "h" -> Duration.ofHours(amount);
				default -> Duration.ofDays(amount);
			};
		}
		try {
			Duration duration = Duration.parse(text.trim());
			return duration.isNegative() ? null : duration;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/** {@code 6h}, {@code 90s}, {@code 1d}: the largest whole unit. */
	static String format(Duration duration) {
		long ms = duration.toMillis();
		if (ms == 0) {
			return "0";
		}
		if (ms % 86_400_000 == 0) {
			return ms / 86_400_000 + "d";
		}
		if (ms % 3_600_000 == 0) {
			return ms / 3_600_000 + "h";
		}
		if (ms % 60_000 == 0) {
			return ms / 60_000 + "m";
		}
		return (ms % 1000 == 0) ? ms / 1000 + "s" : ms + "ms";
	}

}
