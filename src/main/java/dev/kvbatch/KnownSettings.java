package dev.kvbatch;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Every {@code kvbatch.*} setting the application binds: the components of its
 * {@code @ConfigurationProperties} records, found on the class path, so a setting added
 * to a record is known without a list to keep. Answers whether a name a user gave is one
 * of them (in any of Spring Boot's relaxed forms), and which known name is closest to one
 * that is not. Immutable and thread-safe.
 */
final class KnownSettings {

	/** The prefix of kvbatch's own settings. */
	static final String PREFIX = "kvbatch";

	private static final String BASE_PACKAGE = "dev.kvbatch";

	/** What Spring Boot's configuration processor writes for each properties record. */
	static final String METADATA = "META-INF/spring-configuration-metadata.json";

	private static volatile @Nullable KnownSettings instance;

	private final List<Setting> settings;

	private KnownSettings(List<Setting> settings) {
		List<Setting> sorted = new ArrayList<>(settings);
		sorted.sort(Comparator.comparing(Setting::name));
		this.settings = List.copyOf(sorted);
	}

	/** The settings of these properties records (and JavaBeans), found by reflection. */
	static KnownSettings ofRecords(List<Class<?>> propertiesTypes) {
		List<Setting> settings = new ArrayList<>();
		for (Class<?> type : propertiesTypes) {
			ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
			String prefix = !annotation.prefix().isEmpty() ? annotation.prefix() : annotation.value();
			collect(prefix, type, settings);
		}
		return new KnownSettings(settings);
	}

	/** The settings the class path's properties records have, found by scanning it. */
	static KnownSettings ofScan() {
		return ofRecords(scan());
	}

	/**
	 * The settings of the application's properties records, read once per JVM from the
	 * metadata Spring Boot's configuration processor writes at build time
	 * ({@value #METADATA}), or, where that is missing, found by scanning the class path
	 * (slower: a few hundred milliseconds).
	 */
	static KnownSettings ofApplication() {
		KnownSettings known = instance;
		if (known == null) {
			List<Setting> settings = fromMetadata();
			known = !settings.isEmpty() ? new KnownSettings(settings) : ofScan();
			instance = known;
		}
		return known;
	}

	private static List<Setting> fromMetadata() {
		List<Setting> settings = new ArrayList<>();
		JsonMapper mapper = JsonMapper.builder().build();
		try {
			Enumeration<URL> files = KnownSettings.class.getClassLoader().getResources(METADATA);
			while (files.hasMoreElements()) {
				try (InputStream in = files.nextElement().openStream()) {
					// Every Spring Boot jar has one: parse only those that name a
					// kvbatch setting.
					byte[] json = in.readAllBytes();
					if (!new String(json, StandardCharsets.UTF_8).contains("\"" + PREFIX + ".")) {
						continue;
					}
					for (JsonNode property : mapper.readTree(json).path("properties")) {
						String name = property.path("name").asString("");
						if (name.startsWith(PREFIX + ".")) {
							settings
								.add(new Setting(name, property.path("type").asString("").startsWith("java.util.Map")));
						}
					}
				}
			}
		}
		catch (IOException | JacksonException ex) {
			return List.of();
		}
		return settings;
	}

	private static List<Class<?>> scan() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		List<Class<?>> types = new ArrayList<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents(BASE_PACKAGE)) {
			types.add(ClassUtils.resolveClassName(String.valueOf(candidate.getBeanClassName()),
					KnownSettings.class.getClassLoader()));
		}
		return types;
	}

	/** The dashed names, e.g. {@code kvbatch.cloudflare.api-token}, sorted. */
	List<String> names() {
		return this.settings.stream().map(Setting::name).toList();
	}

	/**
	 * Whether a property name (as in a properties file or on the command line, in any
	 * relaxed form: {@code kvbatch.dataDir}, {@code kvbatch.data_dir}) is a known
	 * setting.
	 */
	boolean isKnown(String propertyName) {
		ConfigurationPropertyName name = ConfigurationPropertyName.adapt(propertyName, '.');
		while (!name.isEmpty() && name.isLastElementIndexed()) {
			name = name.getParent();
		}
		if (name.isEmpty()) {
			return false;
		}
		for (Setting setting : this.settings) {
			ConfigurationPropertyName known = ConfigurationPropertyName.of(setting.name());
			if (known.equals(name) || (setting.hasChildren() && known.isAncestorOf(name))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether an environment variable ({@code KVBATCH_DATA_DIR}) is a known setting, in
	 * either of the forms Spring Boot maps: dashes as underscores, or left out.
	 */
	boolean isKnownVariable(String variable) {
		// KVBATCH_REPORT_MAIL_TO_0: an element of a list.
		String upper = variable.toUpperCase(Locale.ROOT).replaceAll("(_\\d+)+_?$", "");
		for (Setting setting : this.settings) {
			for (String form : List.of(variable(setting.name(), "_"), variable(setting.name(), ""))) {
				if (upper.equals(form) || (setting.hasChildren() && upper.startsWith(form + "_"))) {
					return true;
				}
			}
		}
		return false;
	}

	/** The known setting closest to an unknown property name, if one is close. */
	Optional<String> closest(String propertyName) {
		String name = dashed(propertyName);
		return closest(name, this.settings.stream().map(Setting::name).toList());
	}

	/** The known variable closest to an unknown one, if one is close. */
	Optional<String> closestVariable(String variable) {
		return closest(variable.toUpperCase(Locale.ROOT),
				this.settings.stream().map((setting) -> variable(setting.name(), "_")).toList());
	}

	/** The environment variable of a setting, as the README names them. */
	static String variable(String settingName, String dash) {
		return settingName.toUpperCase(Locale.ROOT).replace(".", "_").replace("-", dash);
	}

	private static Optional<String> closest(String name, List<String> candidates) {
		return Typos.closest(name, candidates);
	}

	/** {@code kvbatch.dataDir} as {@code kvbatch.data-dir}, for comparing with names. */
	private static String dashed(String propertyName) {
		StringBuilder dashed = new StringBuilder();
		for (String element : propertyName.split("\\.", -1)) {
			if (!dashed.isEmpty()) {
				dashed.append('.');
			}
			dashed.append(DataObjectPropertyName.toDashedForm(element.replace('_', '-')));
		}
		return dashed.toString().toLowerCase(Locale.ROOT);
	}

	private static void collect(String prefix, Class<?> type, List<Setting> settings) {
		if (!type.isRecord()) {
			// A JavaBean: its properties are what its setters take.
			for (var descriptor : org.springframework.beans.BeanUtils.getPropertyDescriptors(type)) {
				if (descriptor.getWriteMethod() != null) {
					settings.add(new Setting(prefix + "." + DataObjectPropertyName.toDashedForm(descriptor.getName()),
							false));
				}
			}
			return;
		}
		for (RecordComponent component : type.getRecordComponents()) {
			String name = prefix + "." + DataObjectPropertyName.toDashedForm(component.getName());
			Class<?> componentType = component.getType();
			if (componentType.isRecord() && componentType.getPackageName().startsWith(BASE_PACKAGE)) {
				collect(name, componentType, settings);
			}
			else {
				boolean container = Map.class.isAssignableFrom(componentType)
						|| (Collection.class.isAssignableFrom(componentType) && !isListOfValues(component))
						|| (componentType.isArray() && !componentType.getComponentType().isPrimitive()
								&& componentType.getComponentType().getPackageName().startsWith(BASE_PACKAGE));
				settings.add(new Setting(name, container));
			}
		}
	}

	/**
	 * A list of plain values ({@code List<String>}), written comma-separated or indexed.
	 */
	private static boolean isListOfValues(RecordComponent component) {
		Type generic = component.getGenericType();
		if (generic instanceof ParameterizedType parameterized
				&& parameterized.getActualTypeArguments()[0] instanceof Class<?> element) {
			return !element.getPackageName().startsWith(BASE_PACKAGE);
		}
		return false;
	}

	/**
	 * @param name the dashed name
	 * @param hasChildren a map or a list of records: any name below it binds
	 */
	private record Setting(String name, boolean hasChildren) {
	}

}
