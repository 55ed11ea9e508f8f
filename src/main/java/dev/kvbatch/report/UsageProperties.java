package dev.kvbatch.report;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the nightly report goes (the plan it reports against is
 * {@link dev.kvbatch.metering.PlanProperties}).
 *
 * @param report the nightly usage report
 */
@ConfigurationProperties("kvbatch")
public record UsageProperties(@DefaultValue Report report) {

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
