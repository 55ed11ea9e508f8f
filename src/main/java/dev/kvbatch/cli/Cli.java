package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/**
 * The command line: parses first (so {@code --help} and usage errors need no Spring),
 * then each command boots the context it needs. Arguments of the form
 * {@code --some.setting=value} are Spring Boot settings and go to the context.
 */
public class Cli {

	/**
	 * {@code --kvbatch.data-dir=x}: an option whose name has a dot is a Spring setting,
	 * not a command option.
	 */
	private static final Pattern SETTING = Pattern.compile("--[A-Za-z0-9_-]+\\.[^=]+=.*", Pattern.DOTALL);

	/**
	 * {@code --kvbatch.data-dir /x}: a setting whose value went into the next argument.
	 */
	private static final Pattern SETTING_WITHOUT_VALUE = Pattern.compile("--[A-Za-z0-9_-]+\\.[^=]+");

	/** {@code -Dkvbatch.data-dir=x}: a JVM system property given after {@code -jar}. */
	private static final Pattern SYSTEM_PROPERTY = Pattern.compile("-D([A-Za-z0-9_-]+\\.[^=]+)=(.*)", Pattern.DOTALL);

	/** Shows stack traces and Spring Batch's own log; anywhere on the command line. */
	static final String DEBUG = "--debug";

	private final Class<?>[] extraSources;

	private Class<?>[] stagingSources = {};

	private PrintWriter out = new PrintWriter(System.out, true);

	private PrintWriter err = new PrintWriter(System.err, true);

	/**
	 * @param extraSources further Spring sources, for tests that replace a seam
	 */
	public Cli(Class<?>... extraSources) {
		this.extraSources = extraSources;
	}

	/** Further Spring sources for the staging context, which has no database. */
	public Cli stagingSources(Class<?>... sources) {
		this.stagingSources = sources;
		return this;
	}

	/** Sends command output and errors to these writers instead of stdout and stderr. */
	public Cli output(PrintWriter out, PrintWriter err) {
		this.out = out;
		this.err = err;
		return this;
	}

	/** Runs a command line and returns its exit code. */
	public int run(String... args) {
		List<String> settings = new ArrayList<>();
		List<String> command = new ArrayList<>();
		boolean debug = false;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			Matcher property = SYSTEM_PROPERTY.matcher(arg);
			if (arg.equals(DEBUG)) {
				debug = true;
			}
			else if (SETTING.matcher(arg).matches()) {
				settings.add(arg);
			}
			else if (SETTING_WITHOUT_VALUE.matcher(arg).matches()) {
				String value = (i + 1 < args.length) ? args[i + 1] : "VALUE";
				return usage("setting %s needs its value after \"=\", not a space: %s=%s".formatted(arg, arg, value));
			}
			else if (property.matches()) {
				return usage("%s is a JVM option: give it before -jar, or as the setting --%s=%s".formatted(arg,
						property.group(1), property.group(2)));
			}
			else {
				command.add(arg);
			}
		}
		if (debug) {
			settings.add("--logging.exception-conversion-word=%wEx");
			settings.add("--logging.level.org.springframework.batch=INFO");
			settings.add("--logging.level.org.springframework.transaction.support.TransactionTemplate=ERROR");
		}
		boolean showTraces = debug;
		CommandLine line = new CommandLine(
				new KvBatchCommand(new Contexts(settings, this.extraSources, this.stagingSources, debug)));
		HelpLayout.apply(line);
		line.setOut(this.out);
		line.setErr(this.err);
		line.setParameterExceptionHandler((ex, arguments) -> {
			ex.getCommandLine().getErr().println("kvbatch: " + UsageErrors.describe(ex));
			return ExitCodes.USAGE;
		});
		line.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
			CommandException failure = Failures.classify(ex);
			commandLine.getErr().println("kvbatch: " + failure.getMessage());
			if (showTraces) {
				Failures.printStackTrace(ex, commandLine.getErr());
			}
			return failure.exitCode();
		});
		Thread awaitCommand = new AwaitCommand();
		Runtime.getRuntime().addShutdownHook(awaitCommand);
		try {
			int code = line.execute(command.toArray(String[]::new));
			this.out.flush();
			this.err.flush();
			return code;
		}
		finally {
			((AwaitCommand) awaitCommand).finished.countDown();
			try {
				Runtime.getRuntime().removeShutdownHook(awaitCommand);
			}
			catch (IllegalStateException ex) {
				// The JVM is shutting down: the hook is running and now returns.
			}
		}
	}

	private int usage(String message) {
		this.err.println("kvbatch: " + message);
		this.err.flush();
		return ExitCodes.USAGE;
	}

	/**
	 * Keeps a JVM that got SIGTERM alive until the command has finished: the JVM halts
	 * once every shutdown hook has returned, and Spring Batch's hook (registered per run)
	 * only asks the job to stop. The job then ends at its next chunk boundary, records
	 * STOPPED and the command closes its context. Kubernetes' grace period bounds the
	 * wait from outside; {@link #MAX_WAIT} from inside.
	 */
	private static final class AwaitCommand extends Thread {

		private static final Duration MAX_WAIT = Duration.ofMinutes(10);

		private final CountDownLatch finished = new CountDownLatch(1);

		AwaitCommand() {
			super("kvbatch-await-command");
		}

		@Override
		public void run() {
			try {
				this.finished.await(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
