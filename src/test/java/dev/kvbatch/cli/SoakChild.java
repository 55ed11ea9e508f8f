package dev.kvbatch.cli;

import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.AbstractStep;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@code kvbatch <args>} in a child JVM of the {@link CrashSoak}, printing markers the
 * soak times its kills from: {@code SOAK MIGRATING} as Flyway starts on the database,
 * {@code SOAK DATABASE READY} once it is migrated, and {@code SOAK STEP <name>} as each
 * step starts.
 */
public final class SoakChild {

	static final String MIGRATING = "SOAK MIGRATING";

	static final String READY = "SOAK DATABASE READY";

	static final String STEP = "SOAK STEP ";

	private SoakChild() {
	}

	public static void main(String[] args) {
		System.exit(new Cli(Config.class).run(args));
	}

	static void mark(String marker) {
		System.out.println(marker);
		System.out.flush();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Callback soakMarkers() {
			return new Callback() {

				@Override
				public boolean supports(Event event, Context context) {
					return event == Event.BEFORE_MIGRATE || event == Event.AFTER_MIGRATE;
				}

				@Override
				public boolean canHandleInTransaction(Event event, Context context) {
					return true;
				}

				@Override
				public void handle(Event event, Context context) {
					mark((event == Event.BEFORE_MIGRATE) ? MIGRATING : READY);
				}

				@Override
				public String getCallbackName() {
					return "soak-markers";
				}

			};
		}

		@Bean
		static BeanPostProcessor soakStepMarkers() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String name) {
					if (bean instanceof AbstractStep step) {
						step.registerStepExecutionListener(new StepExecutionListener() {

							@Override
							public void beforeStep(StepExecution execution) {
								mark(STEP + execution.getStepName());
							}

						});
					}
					return bean;
				}

			};
		}

	}

}
