package dev.kvbatch.cli;

/** Ends a command with an exit code and one line on stderr. */
public class CommandException extends RuntimeException {

	private final int exitCode;

	public CommandException(int exitCode, String message) {
		super(message);
		this.exitCode = exitCode;
	}

	public int exitCode() {
		return this.exitCode;
	}

}
