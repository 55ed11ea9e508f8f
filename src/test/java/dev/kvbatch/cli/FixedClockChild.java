package dev.kvbatch.cli;

/**
 * {@code kvbatch <args>} in a child JVM whose clock is fixed at the {@code --test.now}
 * setting ({@link FixedClockConfiguration}), so a test's own runs and the child's count
 * the same UTC day.
 */
public final class FixedClockChild {

	private FixedClockChild() {
	}

	public static void main(String[] args) {
		System.exit(new Cli(FixedClockConfiguration.class).run(args));
	}

}
