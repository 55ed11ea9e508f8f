package dev.kvbatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;

import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import static org.awaitility.Awaitility.await;

/**
 * {@code kvbatch <args>} in a child JVM that stops in the first run's migrations: once
 * migration {@code test.stop-after-migration} has run, and H2's own writer has put it on
 * disk (as it does within its write delay), but before Flyway records it, the child
 * prints {@code MIGRATED} and waits for a line on stdin, or for its kill. Started by
 * {@link KillDuringMigrationTests}.
 */
public final class MigrationBlockingChild {

	private MigrationBlockingChild() {
	}

	public static void main(String[] args) {
		System.exit(new Cli(Config.class).run(args));
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Callback stopAfterMigration(@Value("${test.stop-after-migration}") String version) {
			return new Callback() {

				@Override
				public boolean supports(Event event, Context context) {
					return event == Event.AFTER_EACH_MIGRATE
							&& version.equals(context.getMigrationInfo().getVersion().getVersion());
				}

				@Override
				public boolean canHandleInTransaction(Event event, Context context) {
					return true;
				}

				@Override
				public void handle(Event event, Context context) {
					MVStore store = store(context);
					// No forced flush of the database: H2's background writer stores the
					// migration, as it would have in a process that lived a moment
					// longer.
					await().atMost(Duration.ofMinutes(1)).until(() -> !store.hasUnsavedChanges());
					System.out.println("MIGRATED");
					System.out.flush();
					try {
						new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
				}

				@Override
				public String getCallbackName() {
					return "stop-after-migration";
				}

			};
		}

		private static MVStore store(Context context) {
			try {
				JdbcConnection h2 = context.getConnection().unwrap(JdbcConnection.class);
				return ((SessionLocal) h2.getSession()).getDatabase().getStore().getMvStore();
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
