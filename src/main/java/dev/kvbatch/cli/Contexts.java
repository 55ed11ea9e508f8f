package dev.kvbatch.cli;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.stage.OutboxStagingConfiguration;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Boots the Spring context a command needs, with the {@code --name=value} settings given
 * on the command line.
 */
public final class Contexts {

	private final List<String> settings;

	private final Class<?>[] extraSources;

	private final Class<?>[] stagingSources;

	private final boolean debug;

	private final @Nullable Clock clock;

	Contexts(List<String> settings, Class<?>[] extraSources, Class<?>[] stagingSources, boolean debug) {
		this(settings, extraSources, stagingSources, debug, null);
	}

	private Contexts(List<String> settings, Class<?>[] extraSources, Class<?>[] stagingSources, boolean debug,
			@Nullable Clock clock) {
		this.settings = List.copyOf(settings);
		this.extraSources = extraSources;
		this.stagingSources = stagingSources;
		this.debug = debug;
		this.clock = clock;
	}

	/** Whether the command runs with {@code --debug}: failures show their stack trace. */
	boolean debug() {
		return this.debug;
	}

	/** The whole application: database, jobs, target. */
	public ConfigurableApplicationContext full() {
		return boot(KvBatchApplication.class, this.extraSources);
	}

	/**
	 * The whole application with Quartz, for {@code serve}: the only context that has a
	 * scheduler, whose threads would otherwise keep every command's JVM alive.
	 */
	public ConfigurableApplicationContext serving() {
		return with("spring.autoconfigure.exclude", "").full();
	}

	/**
	 * The whole application with the HTTP API (a servlet web server), and with Quartz
	 * unless {@code jobs} is false: {@code serve} and {@code serve --no-jobs}.
	 */
	public ConfigurableApplicationContext servingApi(boolean jobs) {
		Contexts web = with("spring.main.web-application-type", "servlet");
		return jobs ? web.serving() : web.full();
	}

	/**
	 * Settings and staging only: no database, so staging never waits for a running job.
	 * With a PostgreSQL datasource, staging writes the outbox in the database
	 * ({@code stage.OutboxStager}), so the context is the whole application's, which
	 * PostgreSQL lets run beside a job.
	 */
	public ConfigurableApplicationContext staging() {
		ConfigurableApplicationContext staging = boot(StagingContext.class, this.stagingSources);
		if (!OutboxStagingConfiguration.postgres(staging.getEnvironment())) {
			return staging;
		}
		staging.close();
		return full();
	}

	/** A copy whose {@code name} setting is {@code value}, replacing any given one. */
	Contexts with(String name, String value) {
		List<String> settings = new ArrayList<>(this.settings);
		settings.removeIf((setting) -> setting.startsWith("--" + name + "="));
		settings.add("--" + name + "=" + value);
		return new Contexts(settings, this.extraSources, this.stagingSources, this.debug, this.clock);
	}

	/**
	 * A copy whose contexts tell the time by {@code clock} instead of the system's: the
	 * demo's day at a 5-minute cadence runs on a clock it moves.
	 */
	Contexts with(Clock clock) {
		return new Contexts(this.settings, this.extraSources, this.stagingSources, this.debug, clock);
	}

	private ConfigurableApplicationContext boot(Class<?> source, Class<?>... extraSources) {
		SpringApplicationBuilder builder = new SpringApplicationBuilder(source).sources(extraSources);
		Clock clock = this.clock;
		if (clock != null) {
			builder.initializers((context) -> ((GenericApplicationContext) context).registerBean("movedClock",
					Clock.class, () -> clock, (definition) -> definition.setPrimary(true)));
		}
		return builder.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			// The command closes its context itself. Boot's hook would close the
			// connection pool on SIGTERM while the job still needs it to record STOPPED
			// (see Cli's hook, which waits for the command instead).
			.registerShutdownHook(false)
			.run(this.settings.toArray(String[]::new));
	}

}
