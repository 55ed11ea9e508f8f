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
 * however many times it was staged. A window holds up to {@code maxKeys} keys and at most
 * {@code maxBytes} of them (or the one row it holds), so the heap is bounded by the
 * window, not by the backlog nor by the size of the values. Rows are read in short
 * primary-key pages that fit the window, each row once.
 *
 * <p>
 * Restartable through the cursor alone: the writer moves it to the id of a chunk's last
 * row in the same transaction. Every row at or before that id is applied or superseded by
 * a later row, which a restart reads again.
 */
class CoalescingOutboxReader implements ItemStreamReader<CoalescingOutboxReader.Item> {

	/** Rough heap cost of a window row beyond its strings. */
	private static final int ROW_OVERHEAD = 300;

	private final Outbox outbox;

	private final Cursors cursors;

	private final long upTo;

	private final int pageSize;

	private final int maxKeys;

	private final long maxBytes;

	private final long chunkBytes;

	/** Bytes of the values handed out since the last chunk was written. */
	private long handedOut;

	private long position;

	private long rowsRead;

	private long seqUpTo;

	private Iterator<LatestRow> window = Collections.emptyIterator();

	CoalescingOutboxReader(Outbox outbox, Cursors cursors, long upTo, int pageSize, int maxKeys, long maxBytes,
			long chunkBytes) {
		this.outbox = outbox;
		this.cursors = cursors;
		this.upTo = upTo;
		this.pageSize = pageSize;
		this.maxKeys = maxKeys;
		this.maxBytes = maxBytes;
		this.chunkBytes = chunkBytes;
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

	/**
	 * The next key's last row. Once the current chunk holds {@code chunkBytes} of values,
	 * rows are handed out without their value, for the writer to read again in groups
	 * that fit: Spring Batch ends a chunk by its count only.
	 */
	@Override
	public @Nullable Item read() {
		if (!this.window.hasNext()) {
			this.window = fill();
		}
		if (!this.window.hasNext()) {
			return null;
		}
		LatestRow latest = this.window.next();
		long size = size(latest.row().record());
		if (this.handedOut > 0 && this.handedOut + size > this.chunkBytes) {
			StagedRecord record = latest.row().record();
			StagedRecord withoutValue = new StagedRecord(record.op(), record.key(), null, record.expiresAt(),
					record.at(), record.id(), record.kind(), record.seq(), record.stagedAt());
			return new Item(new LatestRow(new Outbox.Row(latest.row().id(), withoutValue), latest.seqUpTo()), true);
		}
		this.handedOut += size;
		return new Item(latest, false);
	}

	/** Called once a chunk is written: the next one starts holding values again. */
	public void chunkWritten() {
		this.handedOut = 0;
	}

	private Iterator<LatestRow> fill() {
		// Removing and re-adding a key moves it to the end: iteration is in the id order
		// of each key's last row.
		LinkedHashMap<String, LatestRow> latest = new LinkedHashMap<>();
		long bytes = 0;
		boolean full = false;
		while (!full) {
			List<Outbox.Row> page = page(this.maxBytes - bytes, latest.isEmpty());
			if (page.isEmpty()) {
				break;
			}
			for (Outbox.Row row : page) {
				StagedRecord record = row.record();
				LatestRow superseded = latest.get(record.key());
				long grown = bytes + size(record) - ((superseded != null) ? size(superseded.row().record()) : 0);
				if (!latest.isEmpty()
						&& (grown > this.maxBytes || (superseded == null && latest.size() >= this.maxKeys))) {
					// The row starts the next window: a window never passes its bounds,
					// except by the one row it holds.
					full = true;
					break;
				}
				if (record.seq() != null) {
					this.seqUpTo = Math.max(this.seqUpTo, record.seq());
				}
				latest.remove(record.key());
				latest.put(record.key(), new LatestRow(row, this.seqUpTo));
				bytes = grown;
				this.position = row.id();
				this.rowsRead++;
			}
		}
		return latest.values().iterator();
	}

	/**
	 * The next rows after the position, at most a page and about as many as fit in
	 * {@code room} bytes (at least one if {@code first}): a value is read only once it is
	 * known to fit, so a page never holds more values than the window can take, however
	 * large they are.
	 */
	private List<Outbox.Row> page(long room, boolean first) {
		// Two bytes a character, as size() counts: UTF-8 bytes are at least the chars.
		return this.outbox.page(this.position, this.upTo, this.pageSize, Math.max(0, room / 2), first);
	}

	/** About the heap a row takes: two bytes a character, and some. */
	static long size(StagedRecord record) {
		String value = record.valueJson();
		return ROW_OVERHEAD + 2L * (record.key().length() + ((value != null) ? value.length() : 0));
	}

	/**
	 * A row of the apply chunk.
	 *
	 * @param latest the row
	 * @param valueDropped whether its value was left out, to be read again by the writer
	 */
	record Item(LatestRow latest, boolean valueDropped) {
	}

}
