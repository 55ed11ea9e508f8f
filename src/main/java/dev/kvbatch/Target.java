package dev.kvbatch;

import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.core.convert.converter.Converter;

/**
 * The KV backend {@code kvbatch.target} names: each value selects one adapter under
 * {@code dev.kvbatch.kv} (with {@code @ConditionalOnProperty}). Written in lower case, as
 * users set it and the ledger records it.
 */
public enum Target {

	/** The embedded store in H2. */
	LOCAL,

	/** A Cloudflare Workers KV namespace, over its REST API. */
	CLOUDFLARE;

	/** {@code local} or {@code cloudflare}, as in the setting and the ledger. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * The target a setting names, exactly as written.
	 * @throws ConfigurationException if it names none
	 */
	public static Target of(String setting) {
		for (Target target : values()) {
			if (target.label().equals(setting)) {
				return target;
			}
		}
		throw new ConfigurationException("kvbatch.target must be \"local\" or \"cloudflare\", was \"" + setting + "\"");
	}

	/**
	 * Binds {@code kvbatch.target} with {@link #of}: the setting's values and its error
	 * stay what they were when it was a plain string.
	 */
	@ConfigurationPropertiesBinding
	public static final class SettingConverter implements Converter<String, Target> {

		@Override
		public Target convert(String source) {
			return of(source);
		}

	}

}
