// The semantic cache engine's choice among the index's candidates (semantic-cache-engine.ts's
// lookup, without the store, freshness and verify): the first of the top 4 at or above the
// threshold that the guard lets through. `keyed`: the engine's path since the guard key
// (only the query's bucket is compared); otherwise the whole partition is scanned.
import { guardKey } from "../src/guard-key.ts";
import { guardRejection } from "../src/semantic-guard.ts";
import { textFeatures, type TextFeatures } from "../src/text-features.ts";
import type { Neighbour, PreparedVector, VectorIndex } from "../src/vector-index.ts";

export interface GuardedLookup {
  index: VectorIndex;
  partition: string;
  threshold: number;
  /** The stored question's features of an id. */
  featuresOf: (id: string) => TextFeatures | undefined;
}

export function servedBy(
  lookup: GuardedLookup,
  query: { text: string; vector: PreparedVector; keyed: boolean },
): Neighbour | undefined {
  // As the engine did before the key: the query's features only once a candidate comes up.
  let features = query.keyed ? textFeatures(query.text) : undefined;
  const candidates = lookup.index.search(lookup.partition, query.vector, {
    count: 4,
    minSimilarity: lookup.threshold,
    key: features ? guardKey(features) : undefined,
  });
  for (const candidate of candidates) {
    if (candidate.similarity < lookup.threshold) break;
    const stored = lookup.featuresOf(candidate.id);
    features ??= textFeatures(query.text);
    if (stored && guardRejection(features, stored) === undefined) return candidate;
  }
  return undefined;
}
