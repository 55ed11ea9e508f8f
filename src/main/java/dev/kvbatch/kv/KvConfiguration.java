package dev.kvbatch.kv;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.metering.Ledger;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link KvTarget} the application uses: the adapter {@code kvbatch.target} selects,
 * metered into the ledger. Each adapter sub-package contributes its target as a
 * {@link KvAdapter} bean, left out of injection by type so that only the metered one is
 * seen; a new backend is a new sub-package with one more such bean.
 */
@Configuration(proxyBeanMethods = false)
class KvConfiguration {

	/** The qualifier of the adapter bean the metered target wraps. */
	static final String ADAPTER = "kvAdapter";

	/**
	 * @param properties bound first, so a {@code kvbatch.target} that names no adapter
	 * fails with its own message rather than a missing bean
	 */
	@Bean
	KvTarget kvTarget(KvBatchProperties properties, @Qualifier(ADAPTER) KvTarget adapter, Ledger ledger) {
		return new MeteredKvTarget(adapter, ledger);
	}

}
