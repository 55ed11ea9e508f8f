package dev.kvbatch.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.cli.Cli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package order of the README's package map, checked on the compiled main classes: an
 * import against it fails the build. Each package may use only the packages listed below
 * it: data flows {@code stage → store → flush → kv}, {@code metering} sits upstream of
 * the KV adapters, {@code report} downstream of everything, {@code jobs} composes, and
 * {@code cli}, {@code schedule}, {@code bench}, {@code api} and {@code metrics} are at
 * the edge.
 */
class PackageOrderTests {

	/** The class file of the test's deliberate back-import. */
	private static final String PROBE = "/dev/kvbatch/store/BackImportProbe.class";

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.kvbatch");
	}

	/** The layers, from the edge down; a layer may use only layers below it. */
	static LayeredArchitecture packageOrder() {
		return layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("cli")
			.definedBy("dev.kvbatch.cli..")
			// The HTTP API, when it lands.
			.optionalLayer("api")
			.definedBy("dev.kvbatch.api..")
			// kvbatch's meters: they read the owners below, nothing uses them.
			.layer("metrics")
			.definedBy("dev.kvbatch.metrics..")
			.layer("schedule")
			.definedBy("dev.kvbatch.schedule..")
			.layer("bench")
			.definedBy("dev.kvbatch.bench..")
			.layer("jobs")
			.definedBy("dev.kvbatch.jobs..")
			.layer("report")
			.definedBy("dev.kvbatch.report..")
			.layer("migrate")
			.definedBy("dev.kvbatch.migrate..")
			.layer("flush")
			.definedBy("dev.kvbatch.flush..")
			.layer("store")
			.definedBy("dev.kvbatch.store..")
			.layer("stage")
			.definedBy("dev.kvbatch.stage..")
			.layer("kv")
			.definedBy("dev.kvbatch.kv")
			.layer("kv adapters")
			.definedBy("dev.kvbatch.kv.(*)..")
			.layer("metering")
			.definedBy("dev.kvbatch.metering..")
			.layer("pack")
			.definedBy("dev.kvbatch.pack..")
			.layer("settings")
			.definedBy("dev.kvbatch")
			.whereLayer("cli")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("api")
			.mayOnlyBeAccessedByLayers("cli")
			.whereLayer("metrics")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("schedule")
			.mayOnlyBeAccessedByLayers("cli")
			.whereLayer("bench")
			.mayOnlyBeAccessedByLayers("cli")
			.whereLayer("jobs")
			.mayOnlyBeAccessedByLayers("cli", "schedule", "bench")
			.whereLayer("report")
			.mayOnlyBeAccessedByLayers("cli", "metrics", "schedule", "bench", "jobs")
			.whereLayer("migrate")
			.mayOnlyBeAccessedByLayers("cli", "schedule", "bench", "jobs")
			.whereLayer("flush")
			.mayOnlyBeAccessedByLayers("cli", "api", "schedule", "bench", "jobs", "migrate")
			.whereLayer("store")
			.mayOnlyBeAccessedByLayers("cli", "api", "metrics", "schedule", "bench", "jobs", "report", "migrate",
					"flush")
			.whereLayer("stage")
			.mayOnlyBeAccessedByLayers("cli", "api", "metrics", "schedule", "bench", "jobs", "report", "migrate",
					"flush", "store")
			.whereLayer("kv")
			.mayOnlyBeAccessedByLayers("cli", "api", "schedule", "bench", "jobs", "report", "migrate", "flush",
					"kv adapters")
			// The adapters are chosen by kvbatch.target; the rest of the code sees the
			// port. The CLI describes the Cloudflare settings; the report reads the
			// account's analytics.
			.whereLayer("kv adapters")
			.mayOnlyBeAccessedByLayers("cli", "report")
			.whereLayer("metering")
			.mayOnlyBeAccessedByLayers("cli", "api", "metrics", "schedule", "bench", "jobs", "report", "migrate",
					"flush", "stage", "kv", "kv adapters")
			.whereLayer("pack")
			.mayOnlyBeAccessedByLayers("cli", "api", "metrics", "schedule", "bench", "jobs", "report", "migrate",
					"flush", "store", "stage", "kv", "kv adapters", "settings")
			// main() hands the command line to the CLI.
			.ignoreDependency(KvBatchApplication.class, Cli.class);
	}

	@Test
	void everyPackageUsesOnlyThePackagesBelowIt() {
		packageOrder().check(classes);
	}

	@Test
	void theKvAdaptersDoNotUseEachOther() {
		slices().matching("dev.kvbatch.kv.(*)..").should().notDependOnEachOther().check(classes);
	}

	@Test
	void onlyTheKvAdaptersSpeakHttp() {
		// Besides KV: the API serves HTTP, and the metrics push to a Pushgateway.
		ArchRule rule = noClasses().that()
			.resideOutsideOfPackages("dev.kvbatch.kv.cloudflare..", "dev.kvbatch.api..", "dev.kvbatch.metrics..")
			.should()
			.dependOnClassesThat(
					resideInAPackage("org.springframework.web.client..").or(resideInAPackage("java.net.http..")));
		rule.check(classes);
	}

	@Test
	void packingIsPlainJava() {
		noClasses().that()
			.resideInAPackage("dev.kvbatch.pack..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "java.sql..", "javax.sql..")
			.check(classes);
	}

	@Test
	void aBackImportFailsTheCheck() {
		JavaClasses withBackImport = new ClassFileImporter()
			.withImportOption((location) -> !location.contains("/test-classes/") || location.contains(PROBE))
			.importPackages("dev.kvbatch");

		EvaluationResult result = packageOrder().evaluate(withBackImport);

		assertThat(result.hasViolation()).isTrue();
		assertThat(result.getFailureReport().getDetails()).isNotEmpty()
			.allSatisfy((violation) -> assertThat(violation).contains("dev.kvbatch.store.BackImportProbe")
				.contains("dev.kvbatch.jobs.JobRuns"));
	}

}
