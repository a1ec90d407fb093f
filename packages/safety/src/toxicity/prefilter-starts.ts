import { type BlacklistedTerm, type Node, SyntaxKind } from "obscenity";

/** Index of a unit in the start table: ASCII as itself, anything else (or the text's end) as 128. */
const OTHER = 128;
const WIDTH = 129;

/**
 * Which pairs of units can open a prefilter match: `table[first * 129 + second]` is 1 when
 * some term's match can begin with `first` followed by `second` (128 stands for any unit
 * beyond ASCII, and for the text's end after `first`). A superset, worked out from the same
 * items the prefilter's regex is built from (each letter a run of its look-alike class, an
 * optional part, a wildcard, an optional space): the first unit comes from the items up to
 * the first required one, the second from the items up to the second required one (a run
 * may repeat its letter, optional parts may be skipped), and a wildcard among them allows
 * any unit. The regex then runs only at positions this allows, from where it would have
 * found the same match: the first match at or after a position starts at an allowed one.
 */
export function prefilterStartTable(
  terms: readonly BlacklistedTerm[],
  classOf: (letter: string) => string,
): Uint8Array {
  const table = new Uint8Array(WIDTH * WIDTH);
  for (const { pattern } of terms) {
    const items = pattern.nodes.flatMap((node): (string | Node)[] =>
      node.kind === SyntaxKind.Literal ? [...String.fromCodePoint(...node.chars)] : [node],
    );
    const first = unitsUpTo(items, 1, classOf);
    const second = unitsUpTo(items, 2, classOf);
    for (let unit = 0; unit < WIDTH; unit++) {
      if (!first.has(unit)) continue;
      for (let next = 0; next < WIDTH; next++) if (second.has(next)) table[unit * WIDTH + next] = 1;
    }
  }
  return table;
}

/** Whether a prefilter match may start at `position` (see prefilterStartTable). */
export function mayStartAt(table: Uint8Array, text: string, position: number): boolean {
  const unit = text.charCodeAt(position);
  const next = position + 1 < text.length ? text.charCodeAt(position + 1) : OTHER;
  return table[Math.min(unit, OTHER) * WIDTH + Math.min(next, OTHER)] === 1;
}

/**
 * Every unit (as a table index) any item up to and including the `required`-th required item
 * can match; every index when a wildcard is among them or the pattern has fewer required
 * items (a match may then end, or hold anything, there).
 */
function unitsUpTo(items: readonly (string | Node)[], required: number, classOf: (letter: string) => string) {
  const units = new Set<number>();
  const everything = () => {
    for (let unit = 0; unit < WIDTH; unit++) units.add(unit);
    return units;
  };
  let seen = 0;
  for (const item of items) {
    if (typeof item === "string") {
      // An optional space (" ?") is not required; a letter is a run of its class.
      const letters = item === " " ? " " : classOf(item);
      for (const letter of letters) {
        const code = letter.charCodeAt(0);
        if (code >= OTHER) return everything();
        units.add(code);
      }
      if (item !== " " && ++seen === required) return units;
      continue;
    }
    if (item.kind === SyntaxKind.Wildcard) return everything();
    if (item.kind !== SyntaxKind.Optional) return everything();
    const child = item.childNode;
    if (child.kind === SyntaxKind.Wildcard) return everything();
    for (const letter of String.fromCodePoint(...child.chars)) {
      for (const symbol of letter === " " ? " " : classOf(letter)) {
        const code = symbol.charCodeAt(0);
        if (code >= OTHER) return everything();
        units.add(code);
      }
    }
  }
  return everything();
}
