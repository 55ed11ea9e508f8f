package dev.kvbatch.jobs;

import java.util.ArrayList;
import java.util.List;

import dev.kvbatch.store.DirtyKey;
import dev.kvbatch.store.FlushPlan;
import dev.kvbatch.flush.Flusher;
import dev.kvbatch.store.PhysicalViews;
import org.jspecify.annotations.Nullable;

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

	private final long maxBytes;

	/** Bytes of the values the current chunk holds. */
	private long held;

	ByteBoundedFlush(PhysicalViews views, Flusher flusher, FlushCounts counts, long maxBytes) {
		this.views = views;
		this.flusher = flusher;
		this.counts = counts;
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
			List<FlushPlan> planned = new ArrayList<>();
			List<DirtyKey> later = new ArrayList<>();
			for (Planned item : chunk) {
				if (item.plan() != null) {
					planned.add(item.plan());
				}
				else {
					later.add(item.dirty());
				}
			}
			this.counts.add(this.flusher.flush(planned));
			List<FlushPlan> group = new ArrayList<>();
			long groupBytes = 0;
			for (DirtyKey dirty : later) {
				FlushPlan plan = this.views.plan(dirty);
				long size = bytes(plan);
				if (!group.isEmpty() && groupBytes + size > this.maxBytes) {
					this.counts.add(this.flusher.flush(group));
					group = new ArrayList<>();
					groupBytes = 0;
				}
				group.add(plan);
				groupBytes += size;
				if (groupBytes >= this.maxBytes) {
					// Sent before the next key is packed: packing a large value takes
					// several times its size for a moment.
					this.counts.add(this.flusher.flush(group));
					group = new ArrayList<>();
					groupBytes = 0;
				}
			}
			if (!group.isEmpty()) {
				this.counts.add(this.flusher.flush(group));
			}
		}
		finally {
			this.held = 0;
		}
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
	 * writer.
	 */
	record Planned(DirtyKey dirty, @Nullable FlushPlan plan) {
	}

}
