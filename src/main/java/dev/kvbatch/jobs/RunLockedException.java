package dev.kvbatch.jobs;

/** Another run of the same job, in this process or another, holds its lock. */
public class RunLockedException extends RuntimeException {

	public RunLockedException(String jobName) {
		super("another " + jobName + " run holds the lock; try again when it has finished");
	}

}
