package dev.kvbatch.jobs;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.scope.context.StepSynchronizationManager;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Steps hand their execution to what needs it (a step-scoped bean's
 * {@code #{stepExecution}}, a listener's {@code beforeStep}, {@code @BeforeStep}); no
 * main class looks it up from the thread.
 */
class StepIdiomsTests {

	@Test
	void noMainClassLooksUpTheRunningStep() {
		noClasses().should()
			.dependOnClassesThat()
			.belongToAnyOf(StepSynchronizationManager.class)
			.check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
				.importPackages("dev.kvbatch"));
	}

}
