package dev.kvbatch.store;

import java.util.List;

import dev.kvbatch.MovableClock;
import dev.kvbatch.pack.Packer;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.stage.DeadLetters;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PhysicalViews}' SQL of {@code kv_physical} on a migrated database: H2 here,
 * PostgreSQL in {@link StorePostgresIT}.
 */
class PhysicalViewsSqlTests extends StoreDatabase {

	@Test
	void remembersWhatKvHoldsAndForgetsIt() {
		MovableClock clock = new MovableClock(DirtyKeysTests.T0);
		JsonMapper mapper = JsonMapper.builder().build();
		PhysicalViews views = new PhysicalViews(this.jdbc, logicalStore(), new Packer(mapper),
				new DeadLetters(this.jdbc, clock), mapper, clock);
		FlushPlan.Put a = new FlushPlan.Put(new DirtyKey(1, "a", 0), "r", new PhysicalValue("a", "{}", 100L), "d1");
		FlushPlan.Put a2 = new FlushPlan.Put(new DirtyKey(2, "a", 0), "r", new PhysicalValue("a", "[]", null), "d2");
		FlushPlan.Put b = new FlushPlan.Put(new DirtyKey(3, "b", 0), "r", new PhysicalValue("b", "{}", null), "d3");

		views.remember(List.of(a, b), 5);
		views.forget(List.of("a"));
		views.remember(List.of(a2), 6);

		assertThat(views.written(List.of("a", "b", "c"))).containsExactlyInAnyOrder("a", "b");
		assertThat(this.jdbc.queryForList(
				"SELECT physical_key || ':' || digest || ':' || written_at FROM kv_physical ORDER BY physical_key",
				String.class))
			.containsExactly("a:d2:6", "b:d3:5");
		views.forget(List.of("a", "b", "c"));
		assertThat(views.written(List.of("a", "b"))).isEmpty();
	}

}
