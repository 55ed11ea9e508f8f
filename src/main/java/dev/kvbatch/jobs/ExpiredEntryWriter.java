package dev.kvbatch.jobs;

import java.util.HashSet;
import java.util.Set;

import dev.kvbatch.store.DirtyKey;
import dev.kvbatch.store.ExpiredEntries;
import dev.kvbatch.store.ExpiredEntry;
import dev.kvbatch.store.FlushPlan;
import dev.kvbatch.store.PhysicalViews;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Removes expired entries, or in a dry run plans what their physical keys would become
 * without changing anything: rewritten (a KV write), deleted (a KV delete), or left to
 * KV's own expiration (free), counted in the step's execution context. Step-scoped.
 */
class ExpiredEntryWriter implements ItemWriter<ExpiredEntry> {

	static final String REWRITES = "expire.rewrites";

	static final String DELETES = "expire.deletes";

	static final String LEFT_TO_KV = "expire.left-to-kv";

	private final ExpiredEntries entries;

	private final PhysicalViews views;

	private final boolean dryRun;

	private final StepExecution step;

	private final Set<String> planned = new HashSet<>();

	ExpiredEntryWriter(ExpiredEntries entries, PhysicalViews views, boolean dryRun, StepExecution step) {
		this.entries = entries;
		this.views = views;
		this.dryRun = dryRun;
		this.step = step;
	}

	@Override
	public void write(Chunk<? extends ExpiredEntry> chunk) {
		if (!this.dryRun) {
			this.entries.remove(chunk.getItems());
			return;
		}
		ExecutionContext counts = this.step.getExecutionContext();
		for (ExpiredEntry entry : chunk) {
			if (!this.planned.add(entry.physicalKey())) {
				continue;
			}
			// Planning reads only live entries, so it shows the key as it will be once
			// the expired ones are gone.
			FlushPlan plan = this.views.preview(new DirtyKey(0, entry.physicalKey(), 0));
			String count = (plan instanceof FlushPlan.Put) ? REWRITES
					: (plan instanceof FlushPlan.Delete) ? DELETES : LEFT_TO_KV;
			counts.putLong(count, counts.getLong(count, 0L) + 1);
		}
	}

}
