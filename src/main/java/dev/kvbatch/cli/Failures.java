package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.kvbatch.ConfigurationException;
import dev.kvbatch.SecretScrubber;
import dev.kvbatch.jobs.RunLockedException;
import dev.kvbatch.kv.KvAuthException;
import dev.kvbatch.kv.KvRejectedException;
import dev.kvbatch.kv.KvTargetException;

import org.jspecify.annotations.Nullable;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobRestartException;
import org.springframework.boot.context.properties.bind.BindException;

/**
 * Turns what escaped a command into an exit code and one line for stderr: the catch-all
 * at the edge. Every line is scrubbed of secrets and has no line breaks; the stack trace
 * is printed only with {@code --debug}.
 */
final class Failures {

	/**
	 * H2's "Database may be already in use": another process has the database file open.
	 */
	private static final int H2_DATABASE_ALREADY_OPEN = 90020;

	/**
	 * H2's "Connection is broken" and "Database is already closed": the H2 server the
	 * command reached its database through (a running {@code kvbatch serve}, see
	 * {@code SharedDatabase}) is gone, or the database closed under the command.
	 */
	private static final Set<Integer> H2_DATABASE_GONE = Set.of(90067, 90121);

	/** H2's "Out of memory". */
	private static final int H2_OUT_OF_MEMORY = 90108;

	/** The longest line a failure prints. */
	private static final int MAX_LINE = 600;

	private Failures() {
	}

	/**
	 * Whether a job failed because of its configuration (a setting, a rules file, the
	 * target's credentials): exit 2, as running it again cannot help until it is fixed.
	 */
	static boolean isConfiguration(Throwable failure) {
		return find(failure, ConfigurationException.class).isPresent()
				|| find(failure, KvAuthException.class).isPresent();
	}

	/**
	 * What to do before a restart of a failed execution can succeed, or empty when a
	 * restart alone may (a server error, a timeout, a lost connection).
	 */
	static Optional<String> beforeRestart(Throwable failure) {
		if (isOutOfMemory(failure)) {
			return Optional.of("give it more heap (e.g. KVBATCH_JAVA_OPTS=-Xmx1g), then restart it");
		}
		if (find(failure, KvRejectedException.class).isPresent()) {
			return Optional.of("a restart sends the same request again: fix what the target refused, then restart");
		}
		return Optional.empty();
	}

	static CommandException classify(Throwable failure) {
		CommandException command = find(failure, CommandException.class).orElse(null);
		if (command != null) {
			return new CommandException(command.exitCode(), oneLine(command.getMessage()));
		}
		Throwable configuration = find(failure, ConfigurationException.class).<Throwable>map((ex) -> ex)
			.or(() -> find(failure, KvAuthException.class))
			.orElse(null);
		if (configuration != null) {
			return new CommandException(ExitCodes.USAGE, oneLine(configuration.getMessage()));
		}
		for (Throwable cause : chain(failure)) {
			if (cause instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
				// A running serve shares the database (SharedDatabase): this is another
				// command, or a serve still starting up.
				return new CommandException(ExitCodes.LOCKED,
						"another kvbatch process is using the database; try again when it has finished");
			}
			if (cause instanceof SQLException sql && H2_DATABASE_GONE.contains(sql.getErrorCode())) {
				return new CommandException(ExitCodes.FAILED, "lost the database while the command ran: the kvbatch "
						+ "serve (or H2 server) it was reached through stopped; what was committed is kept, run the "
						+ "command again (kvbatch restart for a job it left STARTED)");
			}
			if (cause instanceof RunLockedException || cause instanceof JobExecutionAlreadyRunningException) {
				return new CommandException(ExitCodes.LOCKED, oneLine(cause.getMessage()));
			}
		}
		BindException bind = find(failure, BindException.class).orElse(null);
		if (bind != null) {
			return new CommandException(ExitCodes.USAGE, oneLine("invalid setting " + bind.getName() + ": "
					+ ((bind.getCause() != null) ? bind.getCause().getMessage() : bind.getMessage())));
		}
		for (Throwable cause : chain(failure)) {
			if (cause instanceof JobInstanceAlreadyCompleteException || cause instanceof JobRestartException
					|| cause instanceof InvalidJobParametersException || cause instanceof IllegalArgumentException) {
				return new CommandException(ExitCodes.USAGE, oneLine(cause.getMessage()));
			}
			if (cause instanceof KvTargetException) {
				// Its message says what the target answered; its cause (an I/O error)
				// less.
				return new CommandException(ExitCodes.FAILED, oneLine(cause.getMessage()));
			}
		}
		if (isOutOfMemory(failure)) {
			return new CommandException(ExitCodes.FAILED,
					"out of memory (the Java heap is " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB)");
		}
		List<Throwable> chain = chain(failure);
		Throwable root = chain.get(chain.size() - 1);
		String message = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		return new CommandException(ExitCodes.FAILED, oneLine(message));
	}

	/** The stack trace, scrubbed of secrets: for {@code --debug} only. */
	static void printStackTrace(Throwable failure, PrintWriter err) {
		StringWriter trace = new StringWriter();
		failure.printStackTrace(new PrintWriter(trace));
		err.print(SecretScrubber.scrub(trace.toString()));
		err.flush();
	}

	private static boolean isOutOfMemory(Throwable failure) {
		return chain(failure).stream()
			.anyMatch((cause) -> cause instanceof OutOfMemoryError
					|| (cause instanceof SQLException sql && sql.getErrorCode() == H2_OUT_OF_MEMORY));
	}

	private static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
		return chain(failure).stream().filter(type::isInstance).map(type::cast).findFirst();
	}

	/** The failure and its causes, each once (a cause cycle ends the list). */
	private static List<Throwable> chain(Throwable failure) {
		List<Throwable> chain = new ArrayList<>();
		for (Throwable cause = failure; cause != null && !chain.contains(cause); cause = cause.getCause()) {
			chain.add(cause);
		}
		return chain;
	}

	private static String oneLine(@Nullable String message) {
		return SecretScrubber.oneLine(message, MAX_LINE);
	}

}
