package dev.kvbatch.stage;

import java.nio.file.Path;

/**
 * Run by {@link SeqAllocatorTests} in a separate JVM: allocates values from the file
 * given as the first argument and prints them, one a line.
 */
public final class SeqAllocatorChild {

	private SeqAllocatorChild() {
	}

	public static void main(String[] args) {
		SeqAllocator seq = new SeqAllocator(Path.of(args[0]));
		int count = Integer.parseInt(args[1]);
		StringBuilder out = new StringBuilder();
		for (int i = 0; i < count; i++) {
			out.append(seq.next()).append('\n');
		}
		System.out.print(out);
		System.out.flush();
	}

}
