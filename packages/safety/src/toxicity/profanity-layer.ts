import { type BlacklistedTerm, englishDataset, englishRecommendedTransformers, type Node, SyntaxKind } from "obscenity";
import type { Finding } from "../finding.ts";
import { originalSpan } from "../text/mapped-text.ts";
import { normaliseText } from "../text/normalise-text.ts";
import { createLiteralGatedMatcher, type LiteralGatedMatcher } from "./literal-gated-matcher.ts";
import { mayStartAt, prefilterStartTable } from "./prefilter-starts.ts";

/** The words of obscenity's English dataset (its `EnglishProfaneWord` type, version 0.4), for tests. */
export const PROFANE_WORDS = (
  "abeed abo africoon anal anus arabush arse ass bastard bestiality bitch blowjob bollocks boob boonga buttplug " +
  "chingchong chink cock cuck cum cunt deepthroat dick dildo doggystyle double-penetration dyke ejaculate fag felch " +
  "fellatio finger-bang fisting fuck gangbang handjob hentai hooker incest jerk-off jizz kike lubejob masturbate negro " +
  "nigger orgasm orgy penis piss porn prick pussy rape retard scat semen sex shit slut spastic tit tranny turd twat " +
  "vagina wank whore"
).split(" ");

/** obscenity's leetspeak table: the symbols it reads as each letter. */
const LOOK_ALIKES: Record<string, string> = {
  a: "a@4",
  c: "c(",
  e: "e3",
  g: "g6",
  i: "i1|!",
  l: "l/",
  o: "o0",
  s: "s$5",
  t: "t7",
  z: "z2",
};

/**
 * The longest run of one letter the prefilter follows. Unbounded (`+`) and free to start
 * anywhere, a run of one letter ("aaaa...", from a model's answer or a caller's prompt)
 * made the regex rescan the run from every position: quadratic, 13 s of blocked event loop
 * for 100,000 characters (found by the fuzz campaign, issue 12). Now a match starts only
 * where a run starts (`runOf`) and follows at most this many repeats, so the scan is
 * linear; a word with one letter repeated more than this many times is not flagged.
 */
const MAX_LETTER_RUN = 24;

const dataset = englishDataset.build();

/**
 * A cheap superset of what obscenity can match, built from its own patterns: each literal
 * letter may repeat or be written as a look-alike, over the normalised text (look-alike
 * letters folded, lower case). Alternatives are grouped by first letter, so the regex
 * engine rejects most positions on one character. obscenity then runs only on a window
 * around each hit, since it costs far more per character than this one regex.
 */
export const PREFILTER = (() => {
  const atWordStart = dataset.blacklistedTerms.filter((term) => term.pattern.requireWordBoundaryAtStart);
  const anywhere = dataset.blacklistedTerms.filter((term) => !term.pattern.requireWordBoundaryAtStart);
  return new RegExp(
    `${byFirstLetter(atWordStart, { wordStart: true })}|${byFirstLetter(anywhere, { wordStart: false })}`,
    "g",
  );
})();

/**
 * The prefilter tried at one position at a time (sticky), only where the pair of units there
 * can open a match (`prefilterStartTable`): the engine otherwise tries all 37 groups at every
 * position, and most pairs ("th", "he", "e ") open none.
 */
const PREFILTER_AT = new RegExp(PREFILTER.source, "y");
const PREFILTER_STARTS = prefilterStartTable(dataset.blacklistedTerms, (letter) => LOOK_ALIKES[letter] ?? letter);

/** The next prefilter hit at or after `from`: the same as `PREFILTER.exec` with `lastIndex = from`. */
export function nextPrefilterHit(text: string, from: number): { start: number; end: number } | undefined {
  for (let position = from; position < text.length; position++) {
    if (!mayStartAt(PREFILTER_STARTS, text, position)) continue;
    PREFILTER_AT.lastIndex = position;
    const match = PREFILTER_AT.exec(text);
    if (match !== null) return { start: position, end: position + match[0].length };
  }
  return undefined;
}

function byFirstLetter(terms: readonly BlacklistedTerm[], place: { wordStart: boolean }): string {
  const groups = new Map<string, string[]>();
  for (const { pattern } of terms) {
    const [first, ...rest] = pattern.nodes.flatMap((node): (string | Node)[] =>
      node.kind === SyntaxKind.Literal ? [...String.fromCodePoint(...node.chars)] : [node],
    );
    const key = typeof first === "string" && first !== " " ? runOf(first, place) : otherStart(first, place);
    groups.set(key, [
      ...(groups.get(key) ?? []),
      rest.map((item) => (typeof item === "string" ? letterPattern(item) : nodePattern(item))).join(""),
    ]);
  }
  return [...groups].map(([first, rests]) => `${first}(?:${rests.join("|")})`).join("|");
}

/**
 * A run of the first letter that starts where a run of it starts (and, at a word start, not
 * after a letter or digit): in "aaaa..." one position is tried, not every one (each would
 * rescan the run: quadratic). The letter comes first and the look-behind after it (the same
 * condition on the unit before the letter), so the regex engine can reject a position on
 * its first unit without running the look-behind: 30 % less time on clean text.
 */
function runOf(letter: string, place: { wordStart: boolean }): string {
  const letters = letterClass(letter);
  return `[${letters}](?<![${place.wordStart ? "a-z0-9" : ""}${letters}].)[${letters}]{0,${MAX_LETTER_RUN - 1}}`;
}

function otherStart(first: string | Node | undefined, place: { wordStart: boolean }): string {
  const start = typeof first === "string" ? letterPattern(first) : nodePattern(first);
  return place.wordStart ? `(?<![a-z0-9])${start}` : start;
}

function nodePattern(node: Node | undefined): string {
  if (node === undefined) return "";
  if (node.kind === SyntaxKind.Wildcard) return "[^]";
  if (node.kind === SyntaxKind.Literal) return [...String.fromCodePoint(...node.chars)].map(letterPattern).join("");
  return `(?:${nodePattern(node.childNode)})?`;
}

function letterPattern(letter: string): string {
  if (letter === " ") return " ?";
  return `[${letterClass(letter)}]{1,${MAX_LETTER_RUN}}`;
}

function letterClass(letter: string): string {
  return (LOOK_ALIKES[letter] ?? letter).replace(/[|+$!\\^\][()/.*?-]/g, (symbol) => `\\${symbol}`);
}

const WINDOW_MARGIN = 32;

let matcher: LiteralGatedMatcher | undefined;

/**
 * Profanity and slurs from obscenity's English list, through its recommended transformers
 * (confusable characters, leetspeak, repeated letters), with offsets into the caller's text.
 */
export function profanityFindings(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const window of candidateWindows(text)) {
    matcher ??= createLiteralGatedMatcher({ ...dataset, ...englishRecommendedTransformers });
    for (const match of matcher.getAllMatches(text.slice(window.start, window.end))) {
      // obscenity's end index is inclusive and points at the low half of a final surrogate pair.
      const span = {
        start: window.start + match.startIndex,
        end: Math.min(window.end, window.start + match.endIndex + 1),
      };
      const previous = findings.at(-1);
      // Several patterns of one word ("shit", "$h1t") can match the same span: report it once.
      if (previous !== undefined && previous.start === span.start && previous.end === span.end) continue;
      findings.push({ kind: "PROFANITY", ...span, score: 1, detector: "toxicity" });
    }
  }
  return findings;
}

/** Merged windows of the original text, widened to whitespace, around every prefilter hit. */
function candidateWindows(text: string): { start: number; end: number }[] {
  const normalised = normaliseText(text);
  const windows: { start: number; end: number }[] = [];
  for (
    let hit = nextPrefilterHit(normalised.text, 0);
    hit !== undefined;
    hit = nextPrefilterHit(normalised.text, hit.end)
  ) {
    if (whitelisted(normalised.text, hit)) continue;
    const span = originalSpan(normalised, hit);
    const start = widen(text, Math.max(0, span.start - WINDOW_MARGIN), -1);
    const end = widen(text, Math.min(text.length, span.end + WINDOW_MARGIN), 1);
    const last = windows.at(-1);
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else windows.push({ start, end });
  }
  return windows;
}

const WHITELIST = (dataset.whitelistedTerms ?? []).map((term) => term.toLowerCase());

/**
 * Whether one of obscenity's whitelisted terms ("assi" of "assistant", "cumu", "dickens")
 * covers the hit: obscenity would discard that match, so the costly call is skipped. A term
 * covers the hit only where it holds the hit's own text, so each term is searched for the hit
 * (a few units in a short term), not the text around the hit for each term.
 */
function whitelisted(text: string, hit: { start: number; end: number }): boolean {
  const piece = text.slice(hit.start, hit.end);
  for (const term of WHITELIST) {
    for (let at = term.indexOf(piece); at >= 0 && at < term.length; at = term.indexOf(piece, at + 1)) {
      if (at <= hit.start && text.startsWith(term, hit.start - at)) return true;
    }
  }
  return false;
}

/** Moves an edge outwards to the nearest whitespace (at most 64 units), so no word is cut. */
function widen(text: string, edge: number, direction: 1 | -1): number {
  let position = edge;
  for (let step = 0; step < 64 && position > 0 && position < text.length; step++) {
    if (isRegExpSpace(text.charCodeAt(direction === 1 ? position : position - 1))) break;
    position += direction;
  }
  return position;
}

/**
 * Exactly the code units `/\s/` matches (ECMAScript WhiteSpace and LineTerminator), read as
 * numbers: a regex test on a one-unit string, up to 128 per window, cost more than the rest
 * of the widening.
 */
export function isRegExpSpace(unit: number): boolean {
  if (unit <= 0x20) return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
  if (unit < 0xa0) return false;
  return (
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000 ||
    unit === 0xfeff
  );
}
