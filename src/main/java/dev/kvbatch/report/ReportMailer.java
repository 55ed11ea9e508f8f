package dev.kvbatch.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.kvbatch.ConfigurationException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;

/**
 * Mails the report: an HTML part (the Thymeleaf template) and a plain-text part, the
 * chart inline by content id, and the JSON report attached. The subject leads with the
 * worst zone, e.g. {@code [kvbatch] WARNING — writes at 86 % of the free plan
 * (2026-11-23)}.
 */
@Component
public class ReportMailer {

	private final ObjectProvider<JavaMailSender> sender;

	private final UsageProperties properties;

	private final HtmlReport html;

	public ReportMailer(ObjectProvider<JavaMailSender> sender, UsageProperties properties, HtmlReport html) {
		this.sender = sender;
		this.properties = properties;
		this.html = html;
	}

	/** Whether recipients are set: the report job then mails each report. */
	public boolean enabled() {
		return this.properties.report().mail().enabled();
	}

	/**
	 * What mailing still needs, e.g. {@code spring.mail.host (SPRING_MAIL_HOST)}, or
	 * {@code null} when the report can be mailed.
	 */
	public @Nullable String missingSettings() {
		List<String> missing = new ArrayList<>();
		if (!enabled()) {
			missing.add("kvbatch.report.mail.to (KVBATCH_REPORT_MAIL_TO)");
		}
		if (this.sender.getIfAvailable() == null) {
			missing.add("spring.mail.host (SPRING_MAIL_HOST)");
		}
		return missing.isEmpty() ? null : String.join(" and ", missing);
	}

	public static String subject(UsageReport report) {
		return "[kvbatch] %s (%s)".formatted(TextReport.headline(report), report.date());
	}

	/**
	 * @throws ConfigurationException when no recipient or no SMTP server is set
	 */
	public void send(UsageReport report, byte[] chartPng) {
		UsageProperties.Mail mail = this.properties.report().mail();
		if (!mail.enabled()) {
			throw new ConfigurationException(
					"mailing the report needs kvbatch.report.mail.to (KVBATCH_REPORT_MAIL_TO)");
		}
		JavaMailSender sender = this.sender.getIfAvailable();
		if (sender == null) {
			throw new ConfigurationException(
					"mailing the report needs an SMTP server: spring.mail.host (SPRING_MAIL_HOST) is not set");
		}
		MimeMessage message = sender.createMimeMessage();
		try {
			MimeMessageHelper helper = new MimeMessageHelper(message, MimeMessageHelper.MULTIPART_MODE_MIXED_RELATED,
					StandardCharsets.UTF_8.name());
			helper.setFrom(mail.sender());
			helper.setTo(mail.to().toArray(String[]::new));
			helper.setSubject(subject(report));
			helper.setText(TextReport.render(report), this.html.render(report, "cid:" + UsageChart.CONTENT_ID));
			helper.addInline(UsageChart.CONTENT_ID, new ByteArrayResource(chartPng), "image/png");
			helper.addAttachment("usage-%s.json".formatted(report.date()),
					new ByteArrayResource(JsonReport.render(report).getBytes(StandardCharsets.UTF_8)),
					"application/json");
		}
		catch (MessagingException ex) {
			throw new IllegalStateException("cannot build the report mail: " + ex.getMessage(), ex);
		}
		sender.send(message);
	}

}
