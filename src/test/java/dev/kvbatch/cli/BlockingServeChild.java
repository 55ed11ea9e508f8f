package dev.kvbatch.cli;

/**
 * {@code kvbatch serve} whose compress, with chunks of 10, prints {@code BLOCKED} at its
 * second bulk put and then holds the run lock until the process is killed (the seam of
 * {@link SignalledCompressChild}, with {@code --test.block=forever}). Started by
 * {@link ServeSharesItsDatabaseTests}.
 */
public final class BlockingServeChild {

	private BlockingServeChild() {
	}

	/**
	 * @param args the command line of {@code kvbatch serve}
	 */
	public static void main(String[] args) {
		System.exit(new Cli(SignalledCompressChild.Config.class).run(args));
	}

}
