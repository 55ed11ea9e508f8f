package dev.kvbatch.usage;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The plan kvbatch reports against, and where the nightly report goes.
 *
 * @param plan {@code free} (limits per UTC day) or {@code paid} (monthly inclusions and
 * prices) ({@code KVBATCH_PLAN})
 * @param report the nightly usage report
 */
@ConfigurationProperties("kvbatch")
public record UsageProperties(@DefaultValue("free") Plan plan, @DefaultValue Report report) {

	/**
	 * @param mail where the usage-report job mails the report
	 */
	public record Report(@DefaultValue Mail mail) {

	}

	/**
	 * @param to recipients, comma-separated ({@code KVBATCH_REPORT_MAIL_TO}); the job
	 * mails only when set. The SMTP server is {@code spring.mail.*}
	 * @param from sender ({@code KVBATCH_REPORT_MAIL_FROM}); the first recipient when
	 * unset
	 */
	public record Mail(@DefaultValue List<String> to, @Nullable String from) {

		public boolean enabled() {
			return !this.to.isEmpty();
		}

		public String sender() {
			return (this.from != null && !this.from.isBlank()) ? this.from : this.to.get(0);
		}

	}

}
