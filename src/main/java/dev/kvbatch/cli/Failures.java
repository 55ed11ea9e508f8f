package dev.kvbatch.cli;

import java.sql.SQLException;

import dev.kvbatch.ConfigurationException;
import dev.kvbatch.jobs.RunLockedException;
import dev.kvbatch.target.KvAuthException;
import dev.kvbatch.target.KvTargetException;

import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobRestartException;
import org.springframework.boot.context.properties.bind.BindException;

/**
 * Turns what escaped a command into an exit code and one line for stderr: the catch-all
 * at the edge.
 */
final class Failures {

	/**
	 * H2's "Database may be already in use": another process has the database file open.
	 */
	private static final int H2_DATABASE_ALREADY_OPEN = 90020;

	private Failures() {
	}

	/**
	 * Whether a job failed because of its configuration (a setting, a rules file, the
	 * target's credentials): exit 2, as running it again cannot help until it is fixed.
	 */
	static boolean isConfiguration(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConfigurationException || cause instanceof KvAuthException) {
				return true;
			}
		}
		return false;
	}

	static CommandException classify(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof CommandException command) {
				return command;
			}
			if (cause instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
				return new CommandException(ExitCodes.LOCKED,
						"another kvbatch process is using the database; try again when it has finished");
			}
			if (cause instanceof RunLockedException) {
				return new CommandException(ExitCodes.LOCKED, cause.getMessage());
			}
			if (cause instanceof JobExecutionAlreadyRunningException) {
				return new CommandException(ExitCodes.LOCKED, cause.getMessage());
			}
			if (cause instanceof JobInstanceAlreadyCompleteException || cause instanceof JobRestartException
					|| cause instanceof InvalidJobParametersException || cause instanceof IllegalArgumentException) {
				return new CommandException(ExitCodes.USAGE, cause.getMessage());
			}
			if (cause instanceof ConfigurationException || cause instanceof KvAuthException) {
				return new CommandException(ExitCodes.USAGE, cause.getMessage());
			}
			if (cause instanceof KvTargetException) {
				// Its message says what the target answered; its cause (an I/O error)
				// less.
				return new CommandException(ExitCodes.FAILED, cause.getMessage());
			}
			if (cause instanceof BindException bind) {
				return new CommandException(ExitCodes.USAGE, "invalid setting " + bind.getName() + ": "
						+ ((bind.getCause() != null) ? bind.getCause().getMessage() : bind.getMessage()));
			}
		}
		Throwable root = failure;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		String message = (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
		return new CommandException(ExitCodes.FAILED, message);
	}

}
