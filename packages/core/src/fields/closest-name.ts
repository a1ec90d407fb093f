/**
 * "Did you mean" for a misspelt name: the closest candidate by edit distance (case
 * ignored, a swap of two neighbouring letters counts once), if it is close enough to be
 * a typo rather than a different word. Config files and both services' input errors use
 * it, so `temprature` gets the same hint everywhere.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  // About a third of the name may differ: a typo, not another word (gpt-4.1 is not gpt-4o-mini).
  const limit = Math.max(1, Math.floor(wanted.length * 0.3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance > limit) continue;
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The hint both services and the config loader give for an unknown field: `did you mean "temperature"?`. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const closest = closestName(name, candidates);
  return closest === undefined ? undefined : `did you mean "${closest}"?`;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(left: string, right: string): number {
  if (left === right) return 0;
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      const current = table[row] as number[];
      const above = table[row - 1] as number[];
      let value = Math.min(
        (above[column] as number) + 1,
        (current[column - 1] as number) + 1,
        (above[column - 1] as number) + cost,
      );
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        value = Math.min(value, ((table[row - 2] as number[])[column - 2] as number) + 1);
      }
      current[column] = value;
    }
  }
  return (table[rows - 1] as number[])[columns - 1] as number;
}
