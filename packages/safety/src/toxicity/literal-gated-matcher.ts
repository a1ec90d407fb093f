import {
  type BlacklistedTerm,
  compareMatchByPositionAndId,
  type MatchPayload,
  type Node,
  RegExpMatcher,
  type RegExpMatcherOptions,
  SyntaxKind,
} from "obscenity";

/**
 * What `RegExpMatcher.getAllMatches` uses inside (obscenity 0.4.x). Private in its types,
 * plain methods and fields in its JavaScript; `literal-gated-matcher.test.ts` checks the
 * result against `getAllMatches` itself, so a change of obscenity's internals fails a test.
 */
interface MatcherInternals {
  readonly blacklistedTerms: readonly { id: number; regExp: RegExp }[];
  readonly blacklistMatcherTransformers: TransformerSet;
  applyTransformers(input: string, transformers: TransformerSet): [ArrayLike<number>, string];
  getWhitelistedIntervals(input: string): { query(lowerBound: number, upperBound: number): boolean };
}

/** obscenity's TransformerSet: each character (a code point) through every transformer in turn. */
interface TransformerSet {
  applyTo(char: number): number | undefined;
  resetAll(): void;
}

export interface LiteralGatedMatcher {
  /** Exactly `RegExpMatcher.getAllMatches(input, true)`: the same matches in the same order. */
  getAllMatches(input: string): MatchPayload[];
}

/**
 * obscenity's matcher, with the same transformed text, term regexes and whitelist, but a
 * term's regex runs only when the transformed text holds the longest literal its pattern
 * requires ("ab" of `|ab[b]o[s]|`, "ck" of `f[?]ck`), and the whitelist (some 70 substring
 * searches) is built only once a term has matched. `getAllMatches` runs all 117 regexes
 * over the text and builds the whitelist first: on a short window ("about", "fun" and
 * "night" start a word-start term) that was most of the toxicity detector's time. A
 * regex cannot match a text without one of its required literals, so the output is the same.
 */
export function createLiteralGatedMatcher(options: RegExpMatcherOptions): LiteralGatedMatcher {
  const matcher = new RegExpMatcher(options) as unknown as MatcherInternals;
  const terms = matcher.blacklistedTerms;
  const required = options.blacklistedTerms.map((term) => longestLiteral(term));
  if (terms.length !== required.length) throw new Error("obscenity's matcher compiled an unexpected term list");
  const requiredPairs = required.map((literal) => pairKeysOf(literal));
  const pairs = createPairSet();
  return {
    getAllMatches(input) {
      const [transformedToOrigIndex, transformed] = transformText(input, matcher.blacklistMatcherTransformers);
      pairs.fill(transformed);
      let whitelisted: ReturnType<MatcherInternals["getWhitelistedIntervals"]> | undefined;
      const matches: MatchPayload[] = [];
      for (let index = 0; index < terms.length; index++) {
        if (!pairs.hasAll(requiredPairs[index]!) || !transformed.includes(required[index]!)) continue;
        const term = terms[index]!;
        for (const match of transformed.matchAll(term.regExp)) {
          const origStartIndex = transformedToOrigIndex[match.index]!;
          let origEndIndex = transformedToOrigIndex[match.index + match[0].length - 1]!;
          // obscenity's end index is inclusive: a final surrogate pair ends on its low half.
          if (
            origEndIndex < input.length - 1 &&
            isHighSurrogate(input.charCodeAt(origEndIndex)) &&
            isLowSurrogate(input.charCodeAt(origEndIndex + 1))
          )
            origEndIndex++;
          whitelisted ??= matcher.getWhitelistedIntervals(input);
          if (whitelisted.query(origStartIndex, origEndIndex)) continue;
          matches.push({
            termId: term.id,
            startIndex: origStartIndex,
            endIndex: origEndIndex,
            matchLength: [...match[0]].length,
          });
        }
      }
      return matches.sort(compareMatchByPositionAndId);
    },
  };
}

// What transformText writes into, reused by every call (matching is synchronous) and grown as needed.
let units = new Uint16Array(256);
let origins = new Int32Array(256);

/**
 * Exactly `applyTransformers` of obscenity's matcher: the transformed text and, for each of
 * its UTF-16 units, where the character it came from starts in `input`. obscenity appends
 * character by character to a string and an array through an iterator that makes an object
 * per character: about 4 KB of garbage per 80-character window, twice per request (input
 * and output). Here the units go into reused typed arrays and become one string at the end.
 * The index map is valid until the next call. `literal-gated-matcher.test.ts` compares both.
 */
export function transformText(input: string, transformers: TransformerSet): [Int32Array, string] {
  let length = 0;
  for (let position = 0; position < input.length; ) {
    const start = position;
    const char = input.codePointAt(position)!;
    position += char > 0xffff ? 2 : 1;
    const transformed = transformers.applyTo(char);
    if (transformed === undefined) continue;
    if (length + 2 > units.length) grow(length + 2);
    if (transformed > 0xffff) {
      units[length] = 0xd800 + ((transformed - 0x10000) >> 10);
      origins[length++] = start;
      units[length] = 0xdc00 + ((transformed - 0x10000) & 0x3ff);
    } else units[length] = transformed;
    origins[length++] = start;
  }
  transformers.resetAll();
  let text = "";
  for (let from = 0; from < length; from += CHUNK_UNITS)
    text += String.fromCharCode.apply(
      null,
      units.subarray(from, Math.min(length, from + CHUNK_UNITS)) as unknown as number[],
    );
  return [origins, text];
}

// Units per fromCharCode call: well under any engine's argument limit.
const CHUNK_UNITS = 8_192;

function grow(needed: number): void {
  const size = Math.max(needed, units.length * 2);
  const nextUnits = new Uint16Array(size);
  nextUnits.set(units);
  units = nextUnits;
  const nextOrigins = new Int32Array(size);
  nextOrigins.set(origins);
  origins = nextOrigins;
}

/** The longest literal run among a pattern's top-level nodes (optional parts and wildcards are not required). */
function longestLiteral(term: BlacklistedTerm): string {
  let longest = "";
  for (const node of term.pattern.nodes as readonly Node[]) {
    if (node.kind !== SyntaxKind.Literal) continue;
    const literal = String.fromCodePoint(...node.chars);
    if (literal.length > longest.length) longest = literal;
  }
  return longest;
}

/**
 * Which pairs of adjacent units a text holds, hashed into 16,384 slots marked with the
 * call's generation (nothing to clear between calls). A literal whose pairs are not all
 * marked is not in the text; a collision only sends a term on to the exact `includes`.
 */
function createPairSet() {
  let marks = new Uint16Array(PAIR_SLOTS);
  let generation = 0;
  return {
    fill(text: string): void {
      if (++generation === 0x10000) {
        marks = new Uint16Array(PAIR_SLOTS);
        generation = 1;
      }
      for (let index = 1; index < text.length; index++)
        marks[pairKey(text.charCodeAt(index - 1), text.charCodeAt(index))] = generation;
    },
    hasAll(keys: Uint16Array): boolean {
      for (let index = 0; index < keys.length; index++) if (marks[keys[index]!] !== generation) return false;
      return true;
    },
  };
}

const PAIR_SLOTS = 1 << 14;

function pairKey(first: number, second: number): number {
  return ((first & 0x7f) << 7) | (second & 0x7f);
}

function pairKeysOf(literal: string): Uint16Array {
  const keys = new Uint16Array(Math.max(0, literal.length - 1));
  for (let index = 1; index < literal.length; index++)
    keys[index - 1] = pairKey(literal.charCodeAt(index - 1), literal.charCodeAt(index));
  return keys;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
