package dev.kvbatch.metering;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The plan kvbatch meters and reports against.
 *
 * @param plan {@code free} (limits per UTC day) or {@code paid} (monthly inclusions and
 * prices) ({@code KVBATCH_PLAN})
 */
@ConfigurationProperties("kvbatch")
public record PlanProperties(@DefaultValue("free") Plan plan) {

}
