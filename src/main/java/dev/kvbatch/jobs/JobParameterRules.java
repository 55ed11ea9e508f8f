package dev.kvbatch.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.kvbatch.Typos;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersValidator;

/**
 * The parameters one job takes, as its {@link JobParametersValidator}: a name the job
 * does not take, or a value it cannot use, fails the start with one line naming the
 * parameter, what it must be and the closest name, before an execution exists. Without
 * this, {@code run prune dryrun=true} (a typo) would prune for real. Every job also takes
 * the identifying {@code run.at} and {@code schedule.at} that {@link JobRuns} and the
 * scheduler add. Immutable once built; thread-safe.
 */
final class JobParameterRules implements JobParametersValidator {

	/** Added by kvbatch itself to make each start its own instance. */
	static final Set<String> RUN_IDENTITY = Set.of("run.at", "schedule.at", FlushHorizon.NEXT);

	private final String job;

	private final Map<String, Rule> rules;

	private JobParameterRules(String job, Map<String, Rule> rules) {
		this.job = job;
		this.rules = rules;
	}

	/** A job that takes no parameters of its own. */
	static JobParameterRules of(String job) {
		return new JobParameterRules(job, Map.of());
	}

	/** Also takes {@code name}, whose value {@code check} accepts. */
	JobParameterRules with(String name, String form, ValueCheck check) {
		Map<String, Rule> rules = new LinkedHashMap<>(this.rules);
		rules.put(name, new Rule(form, check));
		return new JobParameterRules(this.job, rules);
	}

	/** Also takes {@code name=true} or {@code name=false}. */
	JobParameterRules withBoolean(String name) {
		return with(name, name + "=true|false", (value) -> requireBoolean(name, value));
	}

	/** Whether {@code value} says yes; {@link #withBoolean} has refused anything else. */
	static boolean isTrue(@Nullable String value) {
		return "true".equals(value);
	}

	@Override
	public void validate(@Nullable JobParameters parameters) throws InvalidJobParametersException {
		if (parameters == null) {
			return;
		}
		for (JobParameter<?> parameter : parameters.parameters()) {
			String name = parameter.name();
			if (RUN_IDENTITY.contains(name)) {
				continue;
			}
			Rule rule = this.rules.get(name);
			if (rule == null) {
				String hint = Typos.closest(name, this.rules.keySet())
					.map((closest) -> " (did you mean " + closest + "?)")
					.orElse("");
				throw new InvalidJobParametersException(
						"%s takes no parameter \"%s\"%s; %s".formatted(this.job, name, hint, takes()));
			}
			rule.check().check(String.valueOf(parameter.value()));
		}
	}

	/** {@code prune takes dry-run=true|false}. */
	String takes() {
		if (this.rules.isEmpty()) {
			return this.job + " takes no parameters";
		}
		return this.job + " takes " + this.rules.values().stream().map(Rule::form).collect(Collectors.joining(", "));
	}

	static void requireBoolean(String name, String value) throws InvalidJobParametersException {
		if (!value.equals("true") && !value.equals("false")) {
			throw new InvalidJobParametersException(
					"job parameter " + name + " must be true or false, was \"" + value + "\"");
		}
	}

	/** Accepts a parameter's value, or says why not. */
	@FunctionalInterface
	interface ValueCheck {

		void check(String value) throws InvalidJobParametersException;

	}

	/**
	 * @param form how the parameter is written, for messages: {@code date=YYYY-MM-DD}
	 * @param check accepts its value
	 */
	private record Rule(String form, ValueCheck check) {
	}

}
