package dev.kvbatch.jobs;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.StagedRecord;
import dev.kvbatch.store.Cursors;
import dev.kvbatch.store.LatestRow;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads the outbox past the cursor up to the high-water mark, one window at a time, and
 * hands out only the last row of each logical key in the window, in id order.
 *
 * <p>
 * Applying sets a key to its last staged state, so the rows a later row of the same key
 * supersedes change nothing: skipping them lets a run write each logical key about once,
 * however many times it was staged. A window holds up to {@code maxKeys} keys and about
 * {@code maxBytes} of them, so the heap is bounded by the window, not by the backlog.
 * Rows are read in short primary-key pages, each row once.
 *
 * <p>
 * Restartable through the cursor alone: the writer moves it to the id of a chunk's last
 * row in the same transaction. Every row at or before that id is applied or superseded by
 * a later row, which a restart reads again.
 */
class CoalescingOutboxReader implements ItemStreamReader<LatestRow> {

	/** Rough heap cost of a window row beyond its strings. */
	private static final int ROW_OVERHEAD = 300;

	private final Outbox outbox;

	private final Cursors cursors;

	private final long upTo;

	private final int pageSize;

	private final int maxKeys;

	private final long maxBytes;

	private long position;

	private long rowsRead;

	private long seqUpTo;

	private Iterator<LatestRow> window = Collections.emptyIterator();

	CoalescingOutboxReader(Outbox outbox, Cursors cursors, long upTo, int pageSize, int maxKeys, long maxBytes) {
		this.outbox = outbox;
		this.cursors = cursors;
		this.upTo = upTo;
		this.pageSize = pageSize;
		this.maxKeys = maxKeys;
		this.maxBytes = maxBytes;
	}

	@Override
	public void open(ExecutionContext context) {
		this.position = this.cursors.position(Cursors.OUTBOX);
		this.rowsRead = context.getLong(JobRuns.APPLY_ROWS, 0L);
	}

	@Override
	public void update(ExecutionContext context) {
		context.putLong(JobRuns.APPLY_ROWS, this.rowsRead);
	}

	@Override
	public @Nullable LatestRow read() {
		if (!this.window.hasNext()) {
			this.window = fill();
		}
		return this.window.hasNext() ? this.window.next() : null;
	}

	private Iterator<LatestRow> fill() {
		// Removing and re-adding a key moves it to the end: iteration is in the id order
		// of each key's last row.
		LinkedHashMap<String, LatestRow> latest = new LinkedHashMap<>();
		long bytes = 0;
		while (latest.size() < this.maxKeys && bytes < this.maxBytes) {
			List<Outbox.Row> page = this.outbox.page(this.position, this.upTo, this.pageSize);
			if (page.isEmpty()) {
				break;
			}
			for (Outbox.Row row : page) {
				StagedRecord record = row.record();
				if (record.seq() != null) {
					this.seqUpTo = Math.max(this.seqUpTo, record.seq());
				}
				LatestRow superseded = latest.remove(record.key());
				if (superseded != null) {
					bytes -= size(superseded.row().record());
				}
				latest.put(record.key(), new LatestRow(row, this.seqUpTo));
				bytes += size(record);
				this.position = row.id();
				this.rowsRead++;
				if (latest.size() >= this.maxKeys || bytes >= this.maxBytes) {
					break;
				}
			}
		}
		return latest.values().iterator();
	}

	private static long size(StagedRecord record) {
		String value = record.valueJson();
		return ROW_OVERHEAD + 2L * (record.key().length() + ((value != null) ? value.length() : 0));
	}

}
