/** Words as the brand rules see them: letters, digits and inner apostrophes, lower-cased. */
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

export interface WordToken {
  word: string;
  start: number;
  end: number;
}

export function wordsOf(text: string): WordToken[] {
  const words: WordToken[] = [];
  for (const match of text.matchAll(WORD))
    words.push({ word: match[0].toLowerCase(), start: match.index, end: match.index + match[0].length });
  return words;
}

export interface PhraseMatch {
  start: number;
  end: number;
  /** Index of the phrase in the list the matcher was built from. */
  phrase: number;
}

export interface PhraseMatcher {
  /** Longest phrase, in words. */
  readonly maxWords: number;
  find(words: readonly WordToken[]): PhraseMatch[];
  /**
   * Where, among the last words of `words`, a phrase begins that more words could complete
   * (the earliest such word's index), or -1. `lastIncomplete`: the last word may still grow.
   */
  continuationStart(words: readonly WordToken[], lastIncomplete: boolean): number;
}

/**
 * Matches phrases on words: case-insensitive, whole words, `*` standing for any one word.
 * Phrases are indexed by their first word, so the cost is linear in the text for a given
 * rule set (no regular expression a configured rule could make backtrack).
 */
export function createPhraseMatcher(phrases: readonly string[]): PhraseMatcher {
  const patterns = phrases.map((phrase) =>
    phrase
      .split(/\s+/)
      .flatMap((part) => (part === "*" ? ["*"] : wordsOf(part).map((token) => token.word)))
      .filter((word) => word !== ""),
  );
  const byFirst = new Map<string, number[]>();
  const wildFirst: number[] = [];
  patterns.forEach((pattern, index) => {
    const first = pattern[0];
    // A phrase of wildcards only would match every word: it is ignored (core's config refuses it).
    if (first === undefined || pattern.every((word) => word === "*")) return;
    if (first === "*") wildFirst.push(index);
    else byFirst.set(first, [...(byFirst.get(first) ?? []), index]);
  });
  const maxWords = patterns.reduce((longest, pattern) => Math.max(longest, pattern.length), 0);
  const matchesAt = (
    words: readonly WordToken[],
    at: number,
    match: { pattern: readonly string[]; partial: boolean; lastIncomplete?: boolean },
  ) => {
    const { pattern, partial } = match;
    for (let offset = 0; offset < pattern.length; offset++) {
      const word = words[at + offset];
      if (word === undefined) return partial;
      const expected = pattern[offset]!;
      if (expected === "*") continue;
      // A stream's last word may still grow: "clo" can become "cloud".
      const last = match.lastIncomplete === true && at + offset === words.length - 1;
      if (last ? !expected.startsWith(word.word) : expected !== word.word) return false;
    }
    return !partial;
  };
  return {
    maxWords,
    find(words) {
      const matches: PhraseMatch[] = [];
      for (let at = 0; at < words.length; at++) {
        const candidates = byFirst.get(words[at]!.word);
        for (const list of [candidates, wildFirst]) {
          for (const index of list ?? []) {
            const pattern = patterns[index]!;
            if (!matchesAt(words, at, { pattern, partial: false })) continue;
            matches.push({ start: words[at]!.start, end: words[at + pattern.length - 1]!.end, phrase: index });
          }
        }
      }
      return matches;
    },
    continuationStart(words, lastIncomplete) {
      let earliest = -1;
      for (let back = 1; back <= maxWords && back <= words.length; back++) {
        const at = words.length - back;
        const continues = (pattern: readonly string[]) =>
          (pattern.length > back && matchesAt(words, at, { pattern, partial: true, lastIncomplete })) ||
          // The last word is incomplete: a phrase of exactly these words may still be forming.
          (lastIncomplete &&
            pattern.length === back &&
            matchesAt(words, at, { pattern, partial: false, lastIncomplete }));
        if (patterns.some(continues)) earliest = at;
      }
      return earliest;
    },
  };
}
