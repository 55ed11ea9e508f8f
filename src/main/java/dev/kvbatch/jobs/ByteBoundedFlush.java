package dev.kvbatch.jobs;

import java.util.ArrayList;
import java.util.List;

import dev.kvbatch.store.DirtyKey;
import dev.kvbatch.store.FlushPlan;
import dev.kvbatch.flush.Flusher;
import dev.kvbatch.store.PhysicalViews;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * The flush step's processor and writer, bounded by bytes as well as by keys. A chunk
 * keeps the packed values of its keys up to about {@code maxBytes}; a key whose value
 * would pass that is planned again by the writer, once the rest of the chunk is sent, and
 * sent with others only as far as they fit (a value larger than the bound goes alone). So
 * two 25 MiB values never share the heap, nor a request, with a small heap, and a chunk
 * of small values is still one request.
 *
 * <p>
 * Planning is a pure function of the logical store (see {@link PhysicalViews}), so
 * planning a key twice gives the same plan; the second time costs one more packing of
 * that key's entries. One instance per step execution (step scope): not thread-safe.
 */
class ByteBoundedFlush
		implements ItemProcessor<DirtyKey, ByteBoundedFlush.Planned>, ItemWriter<ByteBoundedFlush.Planned> {

	private final PhysicalViews views;

	private final Flusher flusher;

	private final FlushCounts counts;

	/** The step whose counts the chunks' outcomes add to. */
	private final StepExecution step;

	private final long maxBytes;

	/** The latest deadline this run must meet (see {@link FlushHorizon#due}). */
	private final long horizon;

	/** Bytes of the values the current chunk holds. */
	private long held;

	ByteBoundedFlush(PhysicalViews views, Flusher flusher, FlushCounts counts, StepExecution step, long maxBytes,
			long horizon) {
		this.views = views;
		this.horizon = horizon;
		this.flusher = flusher;
		this.counts = counts;
		this.step = step;
		this.maxBytes = maxBytes;
	}

	@Override
	public Planned process(DirtyKey dirty) {
		FlushPlan plan = this.views.plan(dirty);
		long size = bytes(plan);
		if (size > this.maxBytes || (size > 0 && this.held > 0 && this.held + size > this.maxBytes)) {
			return new Planned(dirty, null);
		}
		this.held += size;
		return new Planned(dirty, plan);
	}

	@Override
	public void write(Chunk<? extends Planned> chunk) {
		try {
			List<DirtyKey> later = new ArrayList<>();
			List<FlushPlan> planned = take(chunk, later);
			// send empties the list: the values sent are let go before the keys planned
			// again are packed (the chunk keeps its items until the step commits, so
			// they must not hold them either).
			send(planned);
			List<FlushPlan> group = new ArrayList<>();
			long groupBytes = 0;
			for (DirtyKey dirty : later) {
				groupBytes = planInto(group, groupBytes, dirty);
			}
			if (!group.isEmpty()) {
				send(group);
			}
		}
		finally {
			this.held = 0;
		}
	}

	/**
	 * Takes the plans out of a chunk's items.
	 * @param later receives the keys that have none, to be planned again
	 * @return the plans taken
	 */
	private static List<FlushPlan> take(Chunk<? extends Planned> chunk, List<DirtyKey> later) {
		List<FlushPlan> planned = new ArrayList<>();
		for (Planned item : chunk) {
			FlushPlan plan = item.take();
			if (plan != null) {
				planned.add(plan);
			}
			else {
				later.add(item.dirty());
			}
		}
		return planned;
	}

	/**
	 * Plans a key again into a group of at most {@code maxBytes}, sending the group when
	 * the key would not fit or fills it. A method of its own, so that no local variable
	 * keeps a sent value reachable while the next key is packed.
	 * @return the bytes the group holds now
	 */
	private long planInto(List<FlushPlan> group, long groupBytes, DirtyKey dirty) {
		FlushPlan plan = this.views.plan(dirty);
		long size = bytes(plan);
		long held = groupBytes;
		if (!group.isEmpty() && held + size > this.maxBytes) {
			send(group);
			held = 0;
		}
		group.add(plan);
		held += size;
		if (held >= this.maxBytes) {
			// Sent before the next key is packed: packing a large value takes several
			// times its size for a moment.
			send(group);
			held = 0;
		}
		return held;
	}

	/** Sends a group and empties it. */
	private void send(List<FlushPlan> group) {
		this.counts.add(this.step, this.flusher.flush(List.copyOf(group), this.horizon));
		group.clear();
	}

	/**
	 * About the heap a plan's value takes, and the request bytes it makes: two bytes a
	 * character, as the apply window counts.
	 */
	private static long bytes(FlushPlan plan) {
		if (plan instanceof FlushPlan.Put put) {
			return 2L * (put.value().key().length() + put.value().value().length());
		}
		return 0;
	}

	/**
	 * A dirty key with its plan, or with none when its value is planned again by the
	 * writer. The writer takes the plan out, so that a chunk's items do not keep packed
	 * values in the heap after they are sent; an item whose plan was taken is planned
	 * again if it is written again.
	 */
	static final class Planned {

		private final DirtyKey dirty;

		private @Nullable FlushPlan plan;

		Planned(DirtyKey dirty, @Nullable FlushPlan plan) {
			this.dirty = dirty;
			this.plan = plan;
		}

		DirtyKey dirty() {
			return this.dirty;
		}

		/** The plan, once: later calls answer {@code null}. */
		@Nullable FlushPlan take() {
			FlushPlan taken = this.plan;
			this.plan = null;
			return taken;
		}

	}

}
