import { type BlacklistedTerm, type Node, SyntaxKind } from "obscenity";

/** Index of a unit in the start table: ASCII as itself, anything else (or the text's end) as 128. */
const OTHER = 128;
const WIDTH = 129;

/**
 * Which pairs of units can open a prefilter match: `table[first * 129 + second]` is 1 when
 * some term's match can begin with `first` followed by `second` (128 stands for any unit
 * beyond ASCII, and for the text's end after `first`); for the terms with an optional unit
 * after their first letter, `table[129 * 129 + first * 129 + third]` when the third unit can
 * be the letter after that gap. A superset, worked out from the same
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
  const table = new Uint8Array(2 * WIDTH * WIDTH);
  const allow = (firsts: ReadonlySet<number>, seconds: ReadonlySet<number>, offset: number) => {
    for (const unit of firsts) for (const next of seconds) table[offset + unit * WIDTH + next] = ALLOWED;
  };
  const gapStarts: { first: ReadonlySet<number>; next: ReadonlySet<number> }[] = [];
  for (const { pattern } of terms) {
    const items = pattern.nodes.flatMap((node): (string | Node)[] =>
      node.kind === SyntaxKind.Literal ? [...String.fromCodePoint(...node.chars)] : [node],
    );
    const gap = gapShape(items, classOf);
    if (gap !== undefined) {
      // A letter run, one optional unit, then the next letter: the second unit is the run's
      // letter or the next letter, or else the third unit is the next letter.
      allow(gap.first, new Set([...gap.first, ...gap.next]), 0);
      allow(gap.first, gap.next, GAPS);
      gapStarts.push(gap);
      continue;
    }
    allow(unitsUpTo(items, 1, classOf), unitsUpTo(items, 2, classOf), 0);
  }
  // Any other pair opening with a gap term's letter: allowed if the third unit fits.
  for (const { first } of gapStarts) {
    for (const unit of first) {
      for (let next = 0; next < WIDTH; next++)
        if (table[unit * WIDTH + next] === 0) table[unit * WIDTH + next] = THIRD_DECIDES;
    }
  }
  return table;
}

const ALLOWED = 1;
/** A pair that opens a match only if a gap term's next letter comes third. */
const THIRD_DECIDES = 2;

/** Where the table's second half starts: `first * 129 + third` for the gap terms. */
const GAPS = WIDTH * WIDTH;

/**
 * obscenity's terms with an optional wildcard after their first letter (`f[?]ck`, `g[?]ngbang`,
 * `h[?]ndjob`, `m[?]sturbate`, `v[?]gina`): the units of the first letter's class and of the
 * letter after the gap (all ASCII), or undefined for any other shape. As pairs, such a term
 * allowed its first letter before any unit at all.
 */
function gapShape(items: readonly (string | Node)[], classOf: (letter: string) => string) {
  const [first, gap, next] = items;
  if (typeof first !== "string" || first === " " || typeof next !== "string" || next === " ") return undefined;
  if (gap === undefined || typeof gap === "string" || gap.kind !== SyntaxKind.Optional) return undefined;
  if (gap.childNode.kind !== SyntaxKind.Wildcard) return undefined;
  const units = (letter: string) => new Set([...classOf(letter)].map((symbol) => symbol.charCodeAt(0)));
  const firstUnits = units(first);
  const nextUnits = units(next);
  if ([...firstUnits, ...nextUnits].some((unit) => unit >= OTHER)) return undefined;
  return { first: firstUnits, next: nextUnits };
}

/** Whether a prefilter match may start at `position` (see prefilterStartTable). */
export function mayStartAt(table: Uint8Array, text: string, position: number): boolean {
  const unit = Math.min(text.charCodeAt(position), OTHER);
  const next = position + 1 < text.length ? Math.min(text.charCodeAt(position + 1), OTHER) : OTHER;
  const pair = table[unit * WIDTH + next];
  if (pair !== THIRD_DECIDES) return pair === ALLOWED;
  const third = position + 2 < text.length ? Math.min(text.charCodeAt(position + 2), OTHER) : OTHER;
  return table[GAPS + unit * WIDTH + third] === ALLOWED;
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
