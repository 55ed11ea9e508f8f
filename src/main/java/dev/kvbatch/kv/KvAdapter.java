package dev.kvbatch.kv;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.AliasFor;

/**
 * Declares an adapter's {@link KvTarget}: a bean the metered target wraps, never injected
 * by type elsewhere (everything else must go through the meter). Put it on the
 * {@code @Bean} method of a configuration that is
 * {@code @ConditionalOnProperty("kvbatch.target")} for its backend.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Bean(defaultCandidate = false)
@Qualifier(KvConfiguration.ADAPTER)
public @interface KvAdapter {

	/** The bean's name. */
	@AliasFor(annotation = Bean.class, attribute = "name")
	String[] value() default {};

}
