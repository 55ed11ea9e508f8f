package dev.kvbatch.stage;

import java.time.Clock;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.pack.PackingRules;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Staging without a database: validation against the packing rules, the file-locked
 * {@code {seq}} sequence and idempotency index, and the spool folder. Used by
 * {@code kvbatch stage} on its own and by the ingest step.
 */
@Configuration(proxyBeanMethods = false)
public class StageConfiguration {

	@Bean
	SeqAllocator seqAllocator(KvBatchProperties properties) {
		return new SeqAllocator(properties.seqFile(), properties.seqStartAfter());
	}

	@Bean
	RecordValidator recordValidator(JsonMapper mapper, PackingRules rules) {
		return new RecordValidator(mapper, new PackingKeyPolicy(rules));
	}

	@Bean
	IdempotencyIndex idempotencyIndex(KvBatchProperties properties, Clock clock) {
		return new FileIdempotencyIndex(properties.idsDir(), properties.spoolDir(), clock);
	}

	@Bean
	SpoolWriter spoolWriter(KvBatchProperties properties, JsonMapper mapper, Clock clock) {
		return new SpoolWriter(properties.spoolDir(), mapper, clock);
	}

	@Bean
	SpoolReader spoolReader(KvBatchProperties properties) {
		return new SpoolReader(properties.spoolDir());
	}

	@Bean
	Stager stager(RecordValidator validator, SpoolWriter writer, Clock clock, IdempotencyIndex index, SeqAllocator seq,
			JsonMapper mapper) {
		return new Stager(validator, writer, clock, index, seq, mapper);
	}

}
