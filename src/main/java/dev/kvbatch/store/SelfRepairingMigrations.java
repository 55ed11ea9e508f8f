package dev.kvbatch.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Migrates the schema at start-up, after putting right what an interrupted migration of
 * kvbatch's own left behind, so that a data folder never needs SQL by hand.
 *
 * <ul>
 * <li>A migration killed before Flyway recorded it needs nothing: it runs again, and
 * every kvbatch migration can run again over what it had done (it only creates what is
 * missing).</li>
 * <li>A migration Flyway recorded as failed (H2 does not roll DDL back, so Flyway records
 * the failure and refuses to go on until it is repaired) is repaired, with one line, and
 * then runs again.</li>
 * <li>A data folder migrated by a kvbatch whose migration files were not yet re-runnable
 * carries their checksums; those known checksums are realigned.</li>
 * </ul>
 * Anything else Flyway finds wrong (a failed or changed migration that is not kvbatch's,
 * an unknown checksum) is left alone: Flyway reports it as before. Repair happens only
 * when nothing else is wrong, since Flyway's repair realigns every entry.
 */
class SelfRepairingMigrations implements FlywayMigrationStrategy {

	private static final Logger log = LoggerFactory.getLogger(SelfRepairingMigrations.class);

	/**
	 * Checksums kvbatch's SQL migrations had before they created only what is missing:
	 * the H2 and the PostgreSQL V1, and V4 to V7 (the same on both).
	 */
	private static final Map<String, Set<Integer>> EARLIER_CHECKSUMS = Map.of("V1__kvbatch_schema.sql",
			Set.of(508266222, -164441581), "V4__quota_exhausted.sql", Set.of(-1296189863), "V5__ledger_daily.sql",
			Set.of(309833340), "V6__job_lock.sql", Set.of(1139497310), "V7__migration.sql", Set.of(1203702986));

	private final Set<String> ownScripts;

	/**
	 * @param ownScripts the script names of kvbatch's migrations, as Flyway records them
	 */
	SelfRepairingMigrations(Set<String> ownScripts) {
		this.ownScripts = Set.copyOf(ownScripts);
	}

	/**
	 * kvbatch's migrations: the SQL files under {@code sql/common/} and
	 * {@code sql/<vendor>/} of its class path and these Java migrations.
	 */
	static SelfRepairingMigrations of(List<JavaMigration> javaMigrations) {
		Set<String> scripts = new HashSet<>();
		try {
			for (Resource file : new PathMatchingResourcePatternResolver().getResources("classpath*:sql/*/V*__*.sql")) {
				scripts.add(file.getFilename());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot list kvbatch's migrations", ex);
		}
		javaMigrations.forEach((migration) -> scripts.add(migration.getClass().getName()));
		return new SelfRepairingMigrations(scripts);
	}

	@Override
	public void migrate(Flyway flyway) {
		List<String> failed = new ArrayList<>();
		List<String> realigned = new ArrayList<>();
		boolean otherwiseWrong = false;
		for (MigrationInfo migration : flyway.info().all()) {
			boolean own = this.ownScripts.contains(migration.getScript());
			if (migration.getState().isFailed()) {
				otherwiseWrong |= !own;
				failed.add("V" + migration.getVersion());
			}
			else if (migration.isApplied() && !migration.isChecksumMatching()) {
				boolean earlier = own && EARLIER_CHECKSUMS.getOrDefault(migration.getScript(), Set.of())
					.contains(migration.getAppliedChecksum());
				otherwiseWrong |= !earlier;
				realigned.add("V" + migration.getVersion());
			}
		}
		if ((!failed.isEmpty() || !realigned.isEmpty()) && !otherwiseWrong) {
			if (!failed.isEmpty()) {
				log.warn("Migration {} of the database was interrupted by an earlier run; running it again",
						String.join(", ", failed));
			}
			if (!realigned.isEmpty()) {
				log.info("Recording the re-runnable versions of migrations {}", String.join(", ", realigned));
			}
			flyway.repair();
		}
		flyway.migrate();
	}

}
