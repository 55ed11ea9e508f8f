package dev.kvbatch;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean": the known name closest to a mistyped one, when it is close enough to be
 * a typo. Stateless and thread-safe.
 */
public final class Typos {

	private Typos() {
	}

	/**
	 * The candidate closest to {@code name}, if it differs by a few edits (at most a
	 * third of the name, between 2 and 5).
	 */
	public static Optional<String> closest(String name, Collection<String> candidates) {
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (String candidate : candidates) {
			int distance = distance(name, candidate);
			if (distance < bestDistance) {
				best = candidate;
				bestDistance = distance;
			}
		}
		int allowed = Math.max(2, Math.min(5, name.length() / 3));
		return (best != null && bestDistance <= allowed) ? Optional.of(best) : Optional.empty();
	}

	/** Levenshtein distance: the edits that turn one text into the other. */
	static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
