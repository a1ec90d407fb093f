import { BoundedCache } from "./bounded-cache.ts";
import { countTokens, fromPieces, type TokenizedText } from "./tokens.ts";

const VOCABULARY = [
  "the",
  "model",
  "answer",
  "request",
  "keel",
  "simple",
  "clear",
  "result",
  "data",
  "system",
  "quickly",
  "carefully",
  "shows",
  "gives",
  "returns",
  "checks",
  "every",
  "small",
  "large",
  "value",
  "service",
  "cache",
  "policy",
  "example",
  "question",
  "reply",
  "token",
  "stream",
  "safe",
  "fast",
  "this",
  "that",
  "with",
  "from",
  "into",
  "about",
  "under",
  "over",
  "after",
  "before",
  "and",
  "but",
  "so",
  "then",
  "also",
  "here",
  "there",
  "again",
  "always",
  "often",
  "signal",
  "report",
  "summary",
  "plan",
  "step",
  "detail",
  "number",
  "list",
  "test",
  "output",
  "helpful",
  "steady",
  "bright",
  "calm",
] as const;

// Token counts of each word as it appears mid-sentence (" word") and opening one ("Word"),
// worked out once, so a default answer is counted without running the tokenizer.
const SPACED = VOCABULARY.map((word) => ` ${word}`);
const SPACED_TOKENS = SPACED.map((piece) => countTokens(piece));
const CAPITALISED = VOCABULARY.map((word) => word[0]!.toUpperCase() + word.slice(1));
const CAPITALISED_TOKENS = CAPITALISED.map((piece) => countTokens(piece));
const SPACED_CAPITALISED = CAPITALISED.map((word) => ` ${word}`);
const SPACED_CAPITALISED_TOKENS = SPACED_CAPITALISED.map((piece) => countTokens(piece));
const FULL_STOP_TOKENS = countTokens(".");

const answers = new BoundedCache<number, TokenizedText>(1024);

/**
 * The answer when no rule decides: English-ish words chosen by a generator seeded with
 * the prompt's hash, 6 to 48 words in sentences of 4 to 10. Same hash -> same text.
 */
export function defaultAnswer(promptHash: number): TokenizedText {
  const cached = answers.get(promptHash);
  if (cached !== undefined) return cached;
  const random = seededRandom(promptHash);
  const wordCount = 6 + (promptHash % 43);
  const pieces: string[] = [];
  const counts: number[] = [];
  let sentenceLeft = 0;
  for (let written = 0; written < wordCount; written++) {
    const word = Math.floor(random() * VOCABULARY.length);
    if (sentenceLeft === 0) {
      if (written > 0) {
        pieces.push(".");
        counts.push(FULL_STOP_TOKENS);
      }
      sentenceLeft = 4 + Math.floor(random() * 7);
      pieces.push(written === 0 ? CAPITALISED[word]! : SPACED_CAPITALISED[word]!);
      counts.push(written === 0 ? CAPITALISED_TOKENS[word]! : SPACED_CAPITALISED_TOKENS[word]!);
    } else {
      pieces.push(SPACED[word]!);
      counts.push(SPACED_TOKENS[word]!);
    }
    sentenceLeft--;
  }
  pieces.push(".");
  counts.push(FULL_STOP_TOKENS);
  return answers.set(promptHash, fromPieces(pieces.join(""), pieces, counts));
}

/** FNV-1a over a string, continuing from `hash`; call it once per part of the prompt. */
export function hashText(hash: number, text: string): number {
  let value = hash;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  // A separator, so ["ab", "c"] and ["a", "bc"] hash differently.
  value ^= 0x1f;
  return Math.imul(value, 0x01000193) >>> 0;
}

export const HASH_SEED = 0x811c9dc5;

/** mulberry32: a tiny, fast, seedable generator. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
