package dev.kvbatch;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's pattern layout, with every line it formats (message and stack trace alike)
 * passed through {@link SecretScrubber}: a library that logs an exception whose message
 * holds the API token prints {@value SecretScrubber#MASK} instead. Used by
 * {@code logback-spring.xml}.
 */
public class ScrubbingLayout extends PatternLayout {

	@Override
	public String doLayout(ILoggingEvent event) {
		return String.valueOf(SecretScrubber.scrub(super.doLayout(event)));
	}

}
