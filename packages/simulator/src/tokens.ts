import { countTokens as countWithOptions } from "gpt-tokenizer/encoding/o200k_base";
import { O200K_TOKEN_SPLIT_REGEX } from "gpt-tokenizer/encodingParams/constants";
import { BoundedCache } from "./bounded-cache.ts";

/**
 * An answer cut into token-sized pieces (what a stream sends as chunks), with the
 * running token count after each piece so `max_tokens` can cut it without re-encoding.
 */
export interface TokenizedText {
  readonly text: string;
  readonly pieces: readonly string[];
  /** cumulativeTokens[i] = tokens in pieces[0..i]. */
  readonly cumulativeTokens: readonly number[];
  readonly tokens: number;
}

// The tokenizer's own pre-split (words with their leading space, digit runs, punctuation):
// it encodes each of these pieces apart, so their counts add up to the count of the whole.
const PIECE_PATTERN = O200K_TOKEN_SPLIT_REGEX;
// Text such as "<|endoftext|>" in a prompt is counted as plain text, never refused.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
// Long prompts are counted without caching: keeping them would hold megabytes alive.
const MAX_CACHED_LENGTH = 16_384;

const promptCounts = new BoundedCache<string, number>(2048);
const tokenizedTexts = new BoundedCache<string, TokenizedText>(512);

/** Tokens of a text with o200k_base; special-token markers count as plain text. */
export function countTokens(text: string): number {
  return countWithOptions(text, AS_PLAIN_TEXT);
}

/** Tokens of one message content (o200k_base, the encoding of the gpt-4o and o-series models). */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length > MAX_CACHED_LENGTH) return countTokens(text);
  return promptCounts.get(text) ?? promptCounts.set(text, countTokens(text));
}

export function tokenizeText(text: string): TokenizedText {
  const cached = text.length <= MAX_CACHED_LENGTH ? tokenizedTexts.get(text) : undefined;
  if (cached !== undefined) return cached;
  const pieces = text.match(PIECE_PATTERN) ?? [];
  const counts = pieces.map((piece) => countTokens(piece));
  const tokenized = fromPieces(text, pieces, counts);
  return text.length <= MAX_CACHED_LENGTH ? tokenizedTexts.set(text, tokenized) : tokenized;
}

/** Builds a TokenizedText from pieces whose token counts are already known. */
export function fromPieces(text: string, pieces: readonly string[], counts: readonly number[]): TokenizedText {
  const cumulativeTokens = new Array<number>(counts.length);
  let total = 0;
  for (let index = 0; index < counts.length; index++) {
    total += counts[index]!;
    cumulativeTokens[index] = total;
  }
  return { text, pieces, cumulativeTokens, tokens: total };
}

/** The longest prefix of whole pieces that fits in `maxTokens`, or the text itself. */
export function truncateToTokens(tokenized: TokenizedText, maxTokens: number): TokenizedText {
  if (tokenized.tokens <= maxTokens) return tokenized;
  let kept = 0;
  while (kept < tokenized.pieces.length && tokenized.cumulativeTokens[kept]! <= maxTokens) kept++;
  const pieces = tokenized.pieces.slice(0, kept);
  return {
    text: pieces.join(""),
    pieces,
    cumulativeTokens: tokenized.cumulativeTokens.slice(0, kept),
    tokens: kept === 0 ? 0 : tokenized.cumulativeTokens[kept - 1]!,
  };
}
