package dev.kvbatch.store;

import dev.kvbatch.jobs.JobRuns;

/**
 * A class of {@code store} that reaches back into {@code jobs}, against the package
 * order: {@code PackageOrderTests} checks that the rule refuses it. Test code only, so
 * the build's own check of the main classes never sees it.
 */
final class BackImportProbe {

	private final JobRuns runs;

	BackImportProbe(JobRuns runs) {
		this.runs = runs;
	}

	JobRuns runs() {
		return this.runs;
	}

}
