package dev.kvbatch.cli;

import java.util.regex.Pattern;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Leaves Spring Boot's actuator, health and metrics auto-configurations out of every
 * context but {@code serve}'s web one: they serve only its probes and metrics, and
 * evaluating and creating them doubled the start-up time of the other commands (about 5 s
 * more per command on the 2-core machine, measured). A command whose meters are pushed to
 * a Pushgateway ({@value #PUSHGATEWAY}) keeps them.
 */
public final class ServeOnlyAutoConfigurations implements AutoConfigurationImportFilter, EnvironmentAware {

	private static final Pattern OBSERVABILITY = Pattern
		.compile("\\.(actuate|health|micrometer|metrics|observation|tracing)\\.|(Health|Metrics|Observation|Tracing)"
				+ "[A-Za-z]*AutoConfiguration$");

	static final String PUSHGATEWAY = "management.prometheus.metrics.export.pushgateway.enabled";

	private boolean web;

	@Override
	public void setEnvironment(Environment environment) {
		this.web = "servlet".equalsIgnoreCase(environment.getProperty("spring.main.web-application-type"))
				|| environment.getProperty(PUSHGATEWAY, Boolean.class, false);
	}

	@Override
	public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
		boolean[] match = new boolean[autoConfigurationClasses.length];
		for (int i = 0; i < match.length; i++) {
			String name = autoConfigurationClasses[i];
			match[i] = this.web || name == null || !OBSERVABILITY.matcher(name).find();
		}
		return match;
	}

}
