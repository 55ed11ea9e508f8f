package dev.kvbatch.jobs;

import java.util.ArrayList;
import java.util.List;

import dev.kvbatch.stage.Outbox;
import dev.kvbatch.store.LatestRow;
import dev.kvbatch.store.LogicalStore;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Applies a chunk of the apply step to the logical store in groups of at most
 * {@code maxBytes} of values (a larger value goes alone), reading again the values the
 * {@link CoalescingOutboxReader} left out, one group at a time: a chunk of a thousand
 * keys holding 25 MiB values never holds them all at once. Groups are applied in id order
 * in the chunk's transaction, each moving the cursor to its last row.
 */
class ApplyWriter implements ItemWriter<CoalescingOutboxReader.Item> {

	private final LogicalStore store;

	private final Outbox outbox;

	private final CoalescingOutboxReader reader;

	private final long maxBytes;

	ApplyWriter(LogicalStore store, Outbox outbox, CoalescingOutboxReader reader, long maxBytes) {
		this.store = store;
		this.outbox = outbox;
		this.reader = reader;
		this.maxBytes = maxBytes;
	}

	@Override
	public void write(Chunk<? extends CoalescingOutboxReader.Item> chunk) {
		try {
			List<LatestRow> group = new ArrayList<>();
			long groupBytes = 0;
			for (CoalescingOutboxReader.Item item : chunk) {
				LatestRow latest = item.valueDropped() ? reread(item.latest()) : item.latest();
				long size = CoalescingOutboxReader.size(latest.row().record());
				if (item.valueDropped() && !group.isEmpty() && groupBytes + size > this.maxBytes) {
					this.store.apply(group);
					group = new ArrayList<>();
					groupBytes = 0;
				}
				group.add(latest);
				groupBytes += size;
				if (item.valueDropped() && groupBytes >= this.maxBytes) {
					this.store.apply(group);
					group = new ArrayList<>();
					groupBytes = 0;
				}
			}
			this.store.apply(group);
		}
		finally {
			this.reader.chunkWritten();
		}
	}

	private LatestRow reread(LatestRow latest) {
		long id = latest.row().id();
		List<Outbox.Row> row = this.outbox.page(id - 1, id, 1);
		if (row.isEmpty()) {
			throw new IllegalStateException("outbox row " + id + " is gone before it was applied");
		}
		return new LatestRow(row.get(0), latest.seqUpTo());
	}

}
