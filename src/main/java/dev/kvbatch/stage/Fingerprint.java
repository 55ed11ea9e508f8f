package dev.kvbatch.stage;

import org.jspecify.annotations.Nullable;

/**
 * A record's fingerprint: a 64-bit hash of its fields as the producer gave them, which
 * tells a retry (the same fingerprint) from a different record with the same id. It is
 * compared only between records of one id, so it needs no resistance to crafted
 * collisions: a producer could only make its own second record pass for a retry of its
 * first. The mixing is MurmurHash3's, over four chars at a time, so that hashing a line
 * costs a few nanoseconds where SHA-256 costs hundreds. Not thread-safe: one per record.
 */
final class Fingerprint {

	private static final long C1 = 0x87c37b91114253d5L;

	private static final long C2 = 0x4cf5ad432745937fL;

	private long hash = 0x9e3779b97f4a7c15L;

	private long length;

	/**
	 * Add a text, or its absence; texts are delimited, so "ab","c" differs from "a","bc".
	 */
	Fingerprint add(@Nullable String text) {
		if (text == null) {
			return add(-1L);
		}
		int n = text.length();
		int i = 0;
		for (; i + 4 <= n; i += 4) {
			mix(text.charAt(i) | ((long) text.charAt(i + 1) << 16) | ((long) text.charAt(i + 2) << 32)
					| ((long) text.charAt(i + 3) << 48));
		}
		long rest = 0;
		for (int shift = 0; i < n; i++, shift += 16) {
			rest |= (long) text.charAt(i) << shift;
		}
		mix(rest);
		return add((long) n);
	}

	/** Add a number. */
	Fingerprint add(long value) {
		mix(value);
		return this;
	}

	/** The fingerprint, never {@link LineResult#ANY_RECORD}. */
	long value() {
		long h = this.hash ^ this.length;
		h ^= h >>> 33;
		h *= 0xff51afd7ed558ccdL;
		h ^= h >>> 33;
		h *= 0xc4ceb9fe1a85ec53L;
		h ^= h >>> 33;
		return (h == LineResult.ANY_RECORD) ? 1 : h;
	}

	private void mix(long word) {
		long k = word * C1;
		k = Long.rotateLeft(k, 31);
		k *= C2;
		this.hash ^= k;
		this.hash = Long.rotateLeft(this.hash, 27) * 5 + 0x52dce729;
		this.length++;
	}

}
