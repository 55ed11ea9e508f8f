package dev.kvbatch;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k8s-cronjob.yaml}, read with the fabric8 Kubernetes model: every field is one
 * Kubernetes knows (a typo lands in a model's additional properties and fails here), and
 * the operational settings the README promises are there.
 */
class KubernetesManifestTests {

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	private static List<JsonNode> documents;

	@BeforeAll
	static void read() {
		try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class)
			.readValues(Path.of("k8s-cronjob.yaml").toFile())) {
			documents = docs.readAll();
		}
	}

	@Test
	void everyFieldIsOneKubernetesKnows() {
		List<String> unknown = new ArrayList<>();
		for (JsonNode document : documents) {
			Class<?> type = switchKind(document.get("kind").asString());
			collectUnknown(YAML.treeToValue(document, type), document.get("kind").asString(), unknown);
		}
		assertThat(unknown).isEmpty();
	}

	@Test
	void schedulesCompressEveryFiveMinutesPruneNightlyAndTheReportAfterMidnightUtc() {
		assertThat(cronJob("kvbatch-compress").getSpec().getSchedule()).isEqualTo("2-59/5 * * * *");
		assertThat(container("kvbatch-compress").getEnv()).anySatisfy(
				(env) -> assertThat(env.getName() + "=" + env.getValue()).isEqualTo("KVBATCH_COMPRESS_INTERVAL=5m"));
		assertThat(cronJob("kvbatch-prune").getSpec().getSchedule()).matches("\\d+ \\d+ \\* \\* \\*");
		assertThat(cronJob("kvbatch-usage-report").getSpec().getSchedule()).matches("\\d+ 0 \\* \\* \\*");
		assertThat(container("kvbatch-compress").getArgs()).containsExactly("run", "compress");
		assertThat(container("kvbatch-prune").getArgs()).containsExactly("run", "prune");
		assertThat(container("kvbatch-usage-report").getArgs()).containsExactly("run", "usage-report");
	}

	@Test
	void cronJobsNeverOverlapAndAreBoundedInTime() {
		for (String name : cronJobNames()) {
			CronJob cronJob = cronJob(name);
			assertThat(cronJob.getSpec().getConcurrencyPolicy()).as(name).isEqualTo("Forbid");
			assertThat(cronJob.getSpec().getTimeZone()).as(name).isEqualTo("Etc/UTC");
			assertThat(cronJob.getSpec().getStartingDeadlineSeconds()).as(name).isPositive();
			JobSpec job = cronJob.getSpec().getJobTemplate().getSpec();
			assertThat(job.getBackoffLimit()).as(name).isBetween(1, 3);
			assertThat(job.getActiveDeadlineSeconds()).as(name).isPositive();
			assertThat(job.getTtlSecondsAfterFinished()).as(name).isPositive();
			assertThat(job.getTemplate().getSpec().getRestartPolicy()).as(name).isEqualTo("Never");
			assertThat(job.getTemplate().getSpec().getTerminationGracePeriodSeconds()).as(name)
				.isGreaterThanOrEqualTo(60);
		}
		assertThat(cronJob("kvbatch-compress").getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds())
			.as("a compress ends before the next hour's")
			.isLessThan(3600);
	}

	@Test
	void aConfigurationErrorFailsTheJobAtOnceAndAnEvictionIsNotCounted() {
		for (String name : cronJobNames()) {
			List<PodFailurePolicyRule> rules = cronJob(name).getSpec()
				.getJobTemplate()
				.getSpec()
				.getPodFailurePolicy()
				.getRules();
			assertThat(rules).as(name).anySatisfy((rule) -> {
				assertThat(rule.getAction()).isEqualTo("FailJob");
				assertThat(rule.getOnExitCodes().getOperator()).isEqualTo("In");
				assertThat(rule.getOnExitCodes().getValues()).containsExactly(2);
			}).anySatisfy((rule) -> {
				assertThat(rule.getAction()).isEqualTo("Ignore");
				assertThat(rule.getOnPodConditions()).singleElement()
					.satisfies((condition) -> assertThat(condition.getType()).isEqualTo("DisruptionTarget"));
			});
		}
	}

	@Test
	void runsAsNonRootOnAReadOnlyRootWithLimits() {
		for (String name : cronJobNames()) {
			PodSpec pod = podSpec(name);
			assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
			Container container = container(name);
			assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(name).isTrue();
			assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(name).isFalse();
			assertThat(container.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
			assertThat(container.getResources().getLimits()).as(name).containsKey("memory");
			assertThat(Quantity.getAmountInBytes(container.getResources().getLimits().get("memory")))
				.isGreaterThanOrEqualTo(
						Quantity.getAmountInBytes(container.getResources().getRequests().get("memory")));
		}
	}

	@Test
	void dataLivesOnAPersistentVolumeJobsComeFromAConfigMapAndSecretsFromASecret() {
		PersistentVolumeClaim claim = YAML.treeToValue(document("PersistentVolumeClaim", "kvbatch-data"),
				PersistentVolumeClaim.class);
		assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
		ConfigMap settings = YAML.treeToValue(document("ConfigMap", "kvbatch-settings"), ConfigMap.class);
		assertThat(settings.getData()).containsEntry("KVBATCH_DATA_DIR", "/data")
			.containsEntry("KVBATCH_JOBS_DIR", "/etc/kvbatch/jobs")
			.doesNotContainKeys("CLOUDFLARE_API_TOKEN", "SPRING_MAIL_PASSWORD");
		for (String name : cronJobNames()) {
			PodSpec pod = podSpec(name);
			Map<String, Volume> volumes = new java.util.HashMap<>();
			pod.getVolumes().forEach((volume) -> volumes.put(volume.getName(), volume));
			assertThat(volumes.get("data").getPersistentVolumeClaim().getClaimName()).isEqualTo("kvbatch-data");
			assertThat(volumes.get("jobs").getConfigMap().getName()).isEqualTo("kvbatch-jobs");
			assertThat(volumes.get("tmp").getEmptyDir()).isNotNull();
			Container container = container(name);
			assertThat(container.getVolumeMounts()).extracting(VolumeMount::getName, VolumeMount::getMountPath)
				.contains(org.assertj.core.groups.Tuple.tuple("data", "/data"),
						org.assertj.core.groups.Tuple.tuple("jobs", "/etc/kvbatch/jobs"),
						org.assertj.core.groups.Tuple.tuple("tmp", "/tmp"));
			Map<String, EnvVar> env = new java.util.HashMap<>();
			container.getEnv().forEach((variable) -> env.put(variable.getName(), variable));
			assertThat(env.get("CLOUDFLARE_API_TOKEN").getValueFrom().getSecretKeyRef().getName())
				.isEqualTo("kvbatch-secrets");
			assertThat(env.get("SPRING_MAIL_PASSWORD").getValueFrom().getSecretKeyRef().getName())
				.isEqualTo("kvbatch-secrets");
			assertThat(container.getEnvFrom()).singleElement()
				.satisfies((source) -> assertThat(source.getConfigMapRef().getName()).isEqualTo("kvbatch-settings"));
		}
	}

	private static Class<?> switchKind(String kind) {
		if ("CronJob".equals(kind)) {
			return CronJob.class;
		}
		if ("PersistentVolumeClaim".equals(kind)) {
			return PersistentVolumeClaim.class;
		}
		if ("ConfigMap".equals(kind)) {
			return ConfigMap.class;
		}
		throw new AssertionError("unexpected kind " + kind);
	}

	private static List<String> cronJobNames() {
		List<String> names = documents.stream()
			.filter((document) -> "CronJob".equals(document.get("kind").asString()))
			.map((document) -> document.get("metadata").get("name").asString())
			.toList();
		assertThat(names).containsExactlyInAnyOrder("kvbatch-compress", "kvbatch-prune", "kvbatch-usage-report");
		return names;
	}

	private static JsonNode document(String kind, String name) {
		return documents.stream()
			.filter((document) -> kind.equals(document.get("kind").asString())
					&& name.equals(document.get("metadata").get("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " " + name));
	}

	private static CronJob cronJob(String name) {
		return YAML.treeToValue(document("CronJob", name), CronJob.class);
	}

	private static PodSpec podSpec(String name) {
		return cronJob(name).getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
	}

	private static Container container(String name) {
		List<Container> containers = podSpec(name).getContainers();
		assertThat(containers).as(name).hasSize(1);
		return containers.get(0);
	}

	/** Walks a model and lists the fields it did not know, by path. */
	private static void collectUnknown(Object model, String path, List<String> unknown) {
		if (model instanceof Collection<?> collection) {
			int i = 0;
			for (Object element : collection) {
				collectUnknown(element, path + "[" + i++ + "]", unknown);
			}
			return;
		}
		if (model instanceof Map<?, ?> map) {
			map.forEach((key, value) -> collectUnknown(value, path + "." + key, unknown));
			return;
		}
		if (model == null || !model.getClass().getName().startsWith("io.fabric8.")) {
			return;
		}
		for (Method getter : model.getClass().getMethods()) {
			if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
					|| getter.getDeclaringClass() == Object.class) {
				continue;
			}
			Object value;
			try {
				value = getter.invoke(model);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException(ex);
			}
			if ("getAdditionalProperties".equals(getter.getName())) {
				if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
					unknown.add(path + ": " + extra.keySet());
				}
			}
			else {
				collectUnknown(value, path + "." + getter.getName().substring(3), unknown);
			}
		}
	}

}
