import type { TextFeatures } from "./text-features.ts";

/**
 * Rejects a semantic candidate that a high cosine alone would accept but that asks
 * something else: other numbers, other names, a negation, other content words, names in
 * another order ("London to Paris" / "Paris to London"), another direction ("km to
 * miles" / "miles to km"). A false hit is worse than a miss, so any doubt is a miss.
 * Returns the reason, or undefined when the candidate may be served.
 */
export function guardRejection(query: TextFeatures, candidate: TextFeatures): string | undefined {
  if (!sameSequence(query.numbers, candidate.numbers)) return "numbers";
  if (query.negations !== candidate.negations) return "negation";
  if (!sameSet(query.content, candidate.content)) return "content";
  if (!sameSequence(inBoth(query.entities, candidate.entities), inBoth(candidate.entities, query.entities)))
    return "entities";
  for (const [direction, target] of query.directions) {
    const other = candidate.directions.get(direction);
    if (other !== undefined && other !== target) return "direction";
  }
  return undefined;
}

function sameSequence(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  const leftSet = new Set(left);
  const rightSet = new Set(right);
  if (leftSet.size !== rightSet.size) return false;
  for (const value of leftSet) if (!rightSet.has(value)) return false;
  return true;
}

function inBoth(values: readonly string[], other: readonly string[]): string[] {
  const present = new Set(other);
  const seen = new Set<string>();
  return values.filter((value) => present.has(value) && !seen.has(value) && seen.add(value));
}
