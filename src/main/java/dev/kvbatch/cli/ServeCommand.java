package dev.kvbatch.cli;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.SharedDatabase;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.schedule.ScheduleInstaller;
import dev.kvbatch.schedule.Schedules;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.quartz.Scheduler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "serve", mixinStandardHelpOptions = true,
		description = { "Runs until stopped: the HTTP API on server.port (default 8080; Cloudflare's KV REST",
				"routes and POST /v1/stage, see the README's \"Connect your app\"), and the jobs at the times",
				"that schedules.yaml in the jobs folder gives (Quartz cron expressions, UTC). SIGTERM or",
				"Ctrl-C finishes the requests in flight, stops taking new ones, then stops the running job at",
				"its next chunk boundary (STOPPED, restartable).",
				"The API needs a token (kvbatch.api.write-tokens) unless server.address is a loopback",
				"address and kvbatch.api.allow-anonymous-loopback=true.",
				"While it runs, the other commands on the same data folder reach the H2 database through it",
				"(on 127.0.0.1); a command still connected when serve ends fails and can be run again." })
class ServeCommand implements Callable<Integer> {

	/** How long SIGTERM waits for requests in flight. */
	private static final long DRAIN_SECONDS = 30;

	/**
	 * How long the signal's shutdown hook holds the JVM for the drain and the running
	 * job's stop: the JVM ends once its shutdown hooks have, whatever other threads do.
	 */
	private static final long STOP_SECONDS = DRAIN_SECONDS + 90;

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Option(names = "--no-jobs", description = "Serve the HTTP API only; no scheduled jobs.")
	boolean noJobs;

	@Override
	public Integer call() throws Exception {
		CountDownLatch stop = new CountDownLatch(1);
		CountDownLatch stopped = new CountDownLatch(1);
		Thread hook = new Thread(() -> {
			stop.countDown();
			try {
				// Held until serve has drained and closed its context below.
				stopped.await(STOP_SECONDS, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "kvbatch-serve-stop");
		Runtime.getRuntime().addShutdownHook(hook);
		SharedDatabase shared = null;
		try (ConfigurableApplicationContext context = this.parent.contexts.servingApi(!this.noJobs)) {
			WebServer web = Objects.requireNonNull(((WebServerApplicationContext) context).getWebServer(),
					"serve's context has a web server");
			String serving = "kvbatch: API on port " + web.getPort();
			// The other commands go through serve to the database it holds.
			shared = SharedDatabase.serve(context.getEnvironment()).orElse(null);
			if (shared != null) {
				serving += ", database shared with the other commands on " + shared.address();
			}
			if (!this.noJobs) {
				Schedules schedules = Schedules.read(context.getBean(KvBatchProperties.class).jobsDir(), JobRuns.JOBS);
				Scheduler scheduler = context.getBean(Scheduler.class);
				ScheduleInstaller.install(scheduler, schedules);
				scheduler.start();
				serving += ", serving " + schedules.crons() + " (UTC)";
			}
			this.spec.commandLine().getErr().println(serving);
			stop.await();
			this.spec.commandLine().getErr().println("kvbatch: stopping");
			drain(web);
			// Closing the context waits for the running job, which the shutdown hook of
			// the run has asked to stop.
		}
		finally {
			// After the context: commands still connected keep the database until now.
			if (shared != null) {
				shared.close();
			}
			stopped.countDown();
			try {
				Runtime.getRuntime().removeShutdownHook(hook);
			}
			catch (IllegalStateException ex) {
				// The JVM is shutting down: the hook has run.
			}
		}
		return ExitCodes.OK;
	}

	/**
	 * Stop taking requests and let those in flight finish (their writes are durable once
	 * answered), before the jobs stop.
	 * <p>
	 * Boot's graceful shutdown ends once no request is inside a servlet, but the answer
	 * of the last one is written to its connection after it leaves: stopping the server
	 * then cuts that answer off, and the client of a write that was made durable gets no
	 * answer at all. So the server is stopped only once the connector's threads have
	 * finished sending, within the same bound.
	 */
	private static void drain(WebServer web) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
		CountDownLatch drained = new CountDownLatch(1);
		web.shutDownGracefully((result) -> drained.countDown());
		drained.await(DRAIN_SECONDS, TimeUnit.SECONDS);
		while (busyConnectorThreads(web) > 0 && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		web.stop();
	}

	/** Threads of the API's connectors still processing a connection. */
	private static int busyConnectorThreads(WebServer web) {
		if (!(web instanceof TomcatWebServer tomcat)) {
			return 0;
		}
		int busy = 0;
		for (Service service : tomcat.getTomcat().getServer().findServices()) {
			for (Connector connector : service.findConnectors()) {
				Executor executor = connector.getProtocolHandler().getExecutor();
				if (executor instanceof org.apache.tomcat.util.threads.ThreadPoolExecutor pool) {
					busy += pool.getActiveCount();
				}
				else if (executor instanceof ThreadPoolExecutor pool) {
					busy += pool.getActiveCount();
				}
			}
		}
		return busy;
	}

}
