/** A word of a claim or passage, with where it sits and how it was written. */
export interface Token {
  /** Lower case, light-stemmed: the form compared across texts. */
  term: string;
  start: number;
  end: number;
  /** Written with a capital not at a sentence start: a name-like token. */
  named: boolean;
  numeric: boolean;
  stop: boolean;
}

const STOP_WORDS = new Set(
  (
    "a an the and or but if of at by for with about against between into through during before after above below to from up down " +
    "in out on off over under again further then once here there when where why how all any both each few more most other some such " +
    "only own same so than too very can will just should now is are was were be been being have has had having do does did doing " +
    "i me my we our you your he him his she her it its they them their what which who whom this that these those am would could " +
    "also as s t while because until nor yes"
  ).split(" "),
);
const NEGATIONS = new Set([
  "not",
  "no",
  "never",
  "none",
  "nobody",
  "nothing",
  "neither",
  "nor",
  "without",
  "cannot",
  "n't",
]);
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu;

/** Words of a text with their offsets; trailing dots and hyphens are not part of a word. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let sentenceStart = true;
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    const raw = match[0].replace(/[.'’-]+$/, "");
    const start = match.index;
    if (/[.!?]/.test(text.slice(last, start))) sentenceStart = true;
    last = start + raw.length;
    const lower = raw.toLowerCase();
    const first = raw.charAt(0);
    tokens.push({
      term: stem(lower),
      start,
      end: start + raw.length,
      named: first !== first.toLowerCase() && !sentenceStart,
      numeric: /\d/.test(raw),
      stop: STOP_WORDS.has(lower),
    });
    sentenceStart = false;
  }
  return tokens;
}

export function isNegation(token: Token): boolean {
  return NEGATIONS.has(token.term) || token.term.endsWith("n't");
}

/** A light suffix stripper: plural and past forms meet their stem ("started", "starts" -> "start"). */
export function stem(word: string): string {
  let term = word.replace(/['’]s$/, "");
  if (/^\d/.test(term)) return term.replace(/[,]/g, "");
  if (term.length > 4 && term.endsWith("ies")) return term.slice(0, -3) + "y";
  if (term.length > 5 && term.endsWith("ing")) return term.slice(0, -3);
  if (term.length > 4 && term.endsWith("ed")) return term.slice(0, -2);
  if (term.length > 3 && term.endsWith("s") && !term.endsWith("ss")) term = term.slice(0, -1);
  return term;
}
