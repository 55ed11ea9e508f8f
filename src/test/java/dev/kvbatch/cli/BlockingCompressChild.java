package dev.kvbatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.local.LocalKvTarget;
import dev.kvbatch.kv.MeteredKvTarget;
import dev.kvbatch.metering.Ledger;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A kvbatch process whose compress stops in the middle of its flush, holding the
 * database, until a line arrives on its stdin. It prints {@code BLOCKED} when it gets
 * there. Started by {@link StageWhileCompressRunsTests}.
 */
public final class BlockingCompressChild {

	private BlockingCompressChild() {
	}

	public static void main(String[] args) {
		System.exit(new Cli(Config.class).run("run", "compress", "--kvbatch.data-dir=" + args[0]));
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Config {

		@Bean
		@Primary
		KvTarget blockingTarget(JdbcTemplate jdbc, Clock clock, Ledger ledger) {
			LocalKvTarget local = new LocalKvTarget(jdbc, clock);
			return new MeteredKvTarget(new FailingTargetConfiguration.FailAfter(local, Integer.MAX_VALUE) {

				@Override
				public List<String> put(List<PhysicalValue> values) {
					System.out.println("BLOCKED");
					System.out.flush();
					try {
						new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
					return super.put(values);
				}

			}, ledger);
		}

	}

}
