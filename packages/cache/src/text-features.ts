/**
 * Normalised tokens of a query, shared by the local embedder and the false-hit guard:
 * contractions expanded, possessives dropped, light stemming, a small table of synonyms
 * for how questions are phrased. Hand-written and small on purpose: no model weights
 * can be loaded here, so the cache stays conservative.
 */
export interface TextFeatures {
  /** Every token, normalised, in order (stopwords included). */
  readonly tokens: readonly string[];
  /** Tokens that carry meaning (stopwords and politeness dropped), stemmed and mapped to synonyms. */
  readonly content: readonly string[];
  /** Numbers in order: digits (with % or $), number words, Roman numerals II-XX. */
  readonly numbers: readonly string[];
  /** Capitalised or all-caps words (names, places, products, acronyms), normalised, in order. */
  readonly entities: readonly string[];
  /** How many negations (not, no, never, without, ...). */
  readonly negations: number;
  /** Object of a directional word ("to X", "from X", "into X", "than X", "vs X"). */
  readonly directions: ReadonlyMap<string, string>;
}

const CONTRACTIONS: Array<[RegExp, string]> = [
  [/\bcan't\b/g, "can not"],
  [/\bwon't\b/g, "will not"],
  [/n't\b/g, " not"],
  [/'re\b/g, " are"],
  [/'ve\b/g, " have"],
  [/'ll\b/g, " will"],
  [/'m\b/g, " am"],
  [/'d\b/g, " would"],
  [/\b(what|who|where|when|how|it|that|there|here)'s\b/g, "$1 is"],
  [/'s\b/g, ""],
  [/s'(?=\s|$)/g, "s"],
];

const STOPWORDS = new Set(
  (
    "a an the is are was were be been being am do does did doing i me my mine myself you your yours we us our ours it its this that these those " +
    "of in on at by for with about as into to from than vs versus over and or but so if then also just really very " +
    "please kindly can could would will may might must shall tell give show let know want need help some any all " +
    "thing things there here hey hi hello thanks thank ok okay quick quickly briefly simple simply short term terms word"
  ).split(" "),
);

const NEGATIONS = new Set(["not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot"]);
const DIRECTIONS = new Set(["to", "into", "from", "than", "vs", "versus"]);
const NUMBER_WORDS = new Set(
  (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty " +
    "thirty forty fifty sixty seventy eighty ninety hundred thousand million billion first second third fourth fifth sixth seventh eighth ninth tenth half quarter dozen"
  ).split(" "),
);
const ROMAN = /^(?:X{0,2})(?:IX|IV|V?I{0,3})$/;
/** Capitalised words that start sentences without naming anything. */
const COMMON_CAPITALISED = new Set(
  (
    "what which who whom whose when where why how is are was were do does did can could would will should shall may might must " +
    "tell give show list explain describe define write translate summarize summarise convert recommend suggest compare find " +
    "please i in on at for the a an if my your our this that these those there here hey hi hello yes no not"
  ).split(" "),
);

/** A few groups of words questions use interchangeably; each maps to its group's first word. */
const SYNONYMS = new Map<string, string>();
for (const group of [
  "which what",
  "explain describe",
  "define definition meaning mean",
  "write wrote written author writer",
  "paint painted painter",
  "kid child children kids",
  "big large",
  "fast quick speedy",
  "cause causes caused",
  "summary summarize summarise",
  "recommend suggest",
  "example instance",
]) {
  const [head, ...rest] = group.split(" ");
  for (const word of rest) SYNONYMS.set(word, head!);
}

export function stem(word: string): string {
  let stemmed = word;
  if (stemmed.length > 4 && stemmed.endsWith("ies")) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.length > 5 && stemmed.endsWith("ing")) stemmed = stemmed.slice(0, -3);
  else if (stemmed.length > 4 && stemmed.endsWith("ed")) stemmed = stemmed.slice(0, -2);
  else if (stemmed.length > 3 && stemmed.endsWith("s") && !stemmed.endsWith("ss")) stemmed = stemmed.slice(0, -1);
  if (stemmed.length > 3 && stemmed.endsWith("e")) stemmed = stemmed.slice(0, -1);
  return stemmed;
}

function normalise(word: string): string {
  const synonym = SYNONYMS.get(word);
  return synonym ?? stem(word);
}

/**
 * The last text's features. A semantic miss reads the same text's features twice in a row
 * (the local embedder, then the lookup's guard key); the result is read-only, so both can
 * share one.
 */
let last: { text: string; features: TextFeatures } | undefined;

export function textFeatures(text: string): TextFeatures {
  if (last?.text === text) return last.features;
  const features = computeFeatures(text);
  last = { text, features };
  return features;
}

function computeFeatures(text: string): TextFeatures {
  let expanded = text.replace(/[\u2018\u2019]/g, "'");
  for (const [pattern, replacement] of CONTRACTIONS) expanded = expanded.replace(pattern, replacement);
  const raw = expanded.match(/[$]?\d+(?:[.,]\d+)*%?|[A-Za-z][A-Za-z0-9+#.-]*[A-Za-z0-9+#]|[A-Za-z]/g) ?? [];
  const tokens: string[] = [];
  const content: string[] = [];
  const numbers: string[] = [];
  const entities: string[] = [];
  const directions = new Map<string, string>();
  let negations = 0;
  let pendingDirection: string | undefined;
  for (const word of raw) {
    const lower = word.toLowerCase();
    if (/^[$\d]/.test(word)) numbers.push(word.replace(/,/g, ""));
    else if (NUMBER_WORDS.has(lower)) numbers.push(lower);
    else if (word.length > 1 && ROMAN.test(word)) numbers.push(word);
    else if (/^[A-Z]/.test(word) && !COMMON_CAPITALISED.has(lower)) entities.push(normalise(lower));
    if (NEGATIONS.has(lower)) negations++;
    const token = /^[$\d]/.test(word) ? word.replace(/,/g, "") : normalise(lower);
    tokens.push(token);
    if (pendingDirection && !STOPWORDS.has(lower)) {
      directions.set(pendingDirection, token);
      pendingDirection = undefined;
    }
    if (DIRECTIONS.has(lower)) pendingDirection = lower === "versus" ? "vs" : lower === "into" ? "to" : lower;
    if (!STOPWORDS.has(lower) && !NEGATIONS.has(lower)) content.push(token);
  }
  return { tokens, content, numbers, entities, negations, directions };
}
