package dev.kvbatch.stage;

import java.time.Clock;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.metering.StagedTally;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Staging straight into the outbox when {@code spring.datasource.url} names PostgreSQL:
 * the {@link OutboxStager} is then the {@link Staging} that {@code kvbatch stage} and the
 * HTTP API use, instead of the spool folder's {@link Stager}. Only in contexts with a
 * database; on H2 nothing here exists.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OutboxStagingConfiguration.OnPostgres.class)
public class OutboxStagingConfiguration {

	@Bean
	StagedIds stagedIds(JdbcTemplate jdbc, KvBatchProperties properties) {
		return new StagedIds(jdbc, properties.seqStartAfter());
	}

	@Bean
	@Primary
	Staging outboxStager(RecordValidator validator, Outbox outbox, StagedIds ids, DeadLetters deadLetters,
			StagedTally tally, PlatformTransactionManager transactions, Clock clock, JsonMapper mapper) {
		return new OutboxStager(validator, outbox, ids, deadLetters, tally, new TransactionTemplate(transactions),
				clock, mapper);
	}

	/** Whether staging goes to the database: the datasource is PostgreSQL. */
	public static boolean postgres(Environment environment) {
		String url = environment.getProperty("spring.datasource.url");
		return url != null && url.startsWith("jdbc:postgresql:");
	}

	static final class OnPostgres implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return postgres(context.getEnvironment());
		}

	}

}
