package dev.kvbatch.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusProperties;
import org.springframework.boot.micrometer.metrics.export.prometheus.PrometheusPushGatewayManager.ShutdownOperation;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Pushes a command's meters to a Prometheus Pushgateway as its context closes, with
 * Spring Boot's own settings ({@code management.prometheus.metrics.export.pushgateway.*}:
 * address, scheme, job, grouping key, username and password or token, and the
 * {@code shutdown-operation}: {@code put} replaces the job's group, {@code post} adds to
 * it, {@code delete} removes it). It stands in for Boot's pusher, which needs the
 * Prometheus client's Pushgateway exporter: with that library on the class path this one
 * is not created (see {@link MetricsConfiguration}). It pushes once, when the command
 * ends (a CronJob run lasts seconds to minutes; {@code push-rate} is not used), in the
 * text format; the database is still open then, so the gauges show the state the run
 * left. A push that fails is logged and never changes the command's exit code.
 */
final class PushOnShutdown implements ApplicationListener<ContextClosedEvent> {

	private static final Log logger = LogFactory.getLog(PushOnShutdown.class);

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

	private final ApplicationContext context;

	private final ObjectProvider<PrometheusMeterRegistry> registry;

	private final PrometheusProperties.Pushgateway settings;

	private final String job;

	PushOnShutdown(ApplicationContext context, ObjectProvider<PrometheusMeterRegistry> registry,
			PrometheusProperties properties, Environment environment) {
		this.context = context;
		this.registry = registry;
		this.settings = properties.getPushgateway();
		String job = this.settings.getJob();
		this.job = StringUtils.hasText(job) ? job : environment.getProperty("spring.application.name", "spring");
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		// serve's management port has a child context of its own; push once, for ours.
		if (event.getApplicationContext() != this.context) {
			return;
		}
		ShutdownOperation operation = this.settings.getShutdownOperation();
		PrometheusMeterRegistry meters = this.registry.getIfAvailable();
		if (operation == ShutdownOperation.NONE || meters == null) {
			return;
		}
		try {
			int status = send(operation, (operation != ShutdownOperation.DELETE) ? meters.scrape() : null);
			if (status / 100 != 2) {
				logger.warn("The Pushgateway at " + url() + " answered " + status + " to the push of job " + this.job);
			}
		}
		catch (IOException ex) {
			logger.warn("The meters could not be pushed to the Pushgateway at " + url() + ": " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private int send(ShutdownOperation operation, @Nullable String body) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(url()).timeout(TIMEOUT);
		if (body != null) {
			request.header("Content-Type", TEXT_FORMAT)
				.method(operation.name(), HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
		}
		else {
			request.DELETE();
		}
		String token = this.settings.getToken();
		String username = this.settings.getUsername();
		if (StringUtils.hasText(token)) {
			request.header("Authorization", "Bearer " + token);
		}
		else if (StringUtils.hasText(username)) {
			String password = this.settings.getPassword();
			password = (password != null) ? password : "";
			request.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
		}
		HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
		return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	/**
	 * The group's URL: {@code /metrics/job/<job>/<label>/<value>...}, as the Pushgateway
	 * reads it.
	 */
	URI url() {
		String scheme = (this.settings.getScheme() == PrometheusProperties.Pushgateway.Scheme.HTTPS) ? "https" : "http";
		StringBuilder path = new StringBuilder("/metrics/").append(segment("job", this.job));
		for (Map.Entry<String, String> label : this.settings.getGroupingKey().entrySet()) {
			path.append('/').append(segment(label.getKey(), label.getValue()));
		}
		return URI.create(scheme + "://" + this.settings.getAddress() + path);
	}

	/**
	 * A label and its value as a path: a value with a {@code /} (or none) goes in the
	 * Pushgateway's base64 form, since a path segment cannot hold it.
	 */
	private static String segment(String label, String value) {
		if (value.isEmpty() || value.contains("/")) {
			return label + "@base64/" + Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
		}
		return label + "/" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
