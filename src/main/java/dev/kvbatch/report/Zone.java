package dev.kvbatch.report;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How close an operation is to its limit: {@code safe} below 80 %, {@code warning} from
 * 80 % up to and including 100 %, {@code exceeded} above. 80 % is where the report
 * alerts, as Cloudflare users are advised to.
 */
public enum Zone {

	SAFE, WARNING, EXCEEDED;

	/** The share of the limit at which the report alerts. */
	public static final double ALERT_PERCENT = 80.0;

	/** The zone of an exact (unrounded) percentage of the limit. */
	public static Zone of(double percent) {
		if (percent < ALERT_PERCENT) {
			return SAFE;
		}
		return (percent <= 100.0) ? WARNING : EXCEEDED;
	}

	@JsonValue
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

}
