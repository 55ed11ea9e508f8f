package dev.kvbatch.cli;

import org.springframework.boot.SpringBootExceptionReporter;

/**
 * Tells Spring Boot that kvbatch reports every failure of a context start itself: the
 * command line prints one line, and the stack trace only with {@code --debug} (see
 * {@link Failures}). Without it, a failure before the logging system is initialised (an
 * unknown setting, a missing jobs folder, both refused while the environment is prepared)
 * is logged by Boot's "Application run failed" with its whole stack trace, since no
 * logging setting applies yet. Registered in {@code META-INF/spring.factories};
 * stateless.
 */
public class CliReportsFailures implements SpringBootExceptionReporter {

	@Override
	public boolean reportException(Throwable failure) {
		return true;
	}

}
