package dev.kvbatch.cli;

/**
 * The exit codes of the contract, for a CronJob's {@code podFailurePolicy} and for
 * scripts.
 */
public final class ExitCodes {

	/**
	 * Completed (also when input was dead-lettered or writes were deferred by the
	 * budget).
	 */
	public static final int OK = 0;

	/** The job failed and can be restarted. */
	public static final int FAILED = 1;

	/** Usage or configuration error. */
	public static final int USAGE = 2;

	/** Another run holds the lock. */
	public static final int LOCKED = 3;

	private ExitCodes() {
	}

}
