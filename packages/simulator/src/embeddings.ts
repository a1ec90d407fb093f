import { fail, type Parsed } from "./chat-request.ts";
import { HASH_SEED, hashText, seededRandom } from "./default-answer.ts";
import type { Exchange } from "./exchange.ts";
import { applyEarlyFault, sendJsonAnswer } from "./faults.ts";
import type { RuleBook } from "./rule-book.ts";
import { countTextTokens } from "./tokens.ts";

export const DEFAULT_EMBEDDING_DIMENSIONS = 256;
const MAX_DIMENSIONS = 3072;
const WORD_PATTERN = /[\p{L}\p{N}]+/gu;

interface EmbeddingCall {
  texts: string[];
  tokens: number;
  dimensions: number;
  base64: boolean;
}

/** POST /v1/embeddings, once the model is known to exist. */
export function handleEmbeddings(
  exchange: Exchange,
  request: { body: Record<string, unknown>; model: string; ruleBook: RuleBook },
): void {
  const parsed = parseEmbeddingCall(request.body);
  if (!parsed.ok) {
    exchange.sendError(400, parsed.problem);
    return;
  }
  const call = parsed.value;
  const rule = request.ruleBook.decide(request.model, call.texts.join("\n"));
  const latency = request.ruleBook.latencyFor(request.model, rule);
  if (applyEarlyFault(exchange, rule?.fault, latency.ttftMs)) return;
  const data = call.texts.map((text, index) => {
    const vector = embedText(text, call.dimensions);
    const embedding = call.base64
      ? JSON.stringify(Buffer.from(vector.buffer).toString("base64"))
      : `[${vector.join(",")}]`;
    return `{"object":"embedding","index":${index},"embedding":${embedding}}`;
  });
  const body =
    `{"object":"list","data":[${data.join(",")}],"model":${JSON.stringify(request.model)},` +
    `"usage":{"prompt_tokens":${call.tokens},"total_tokens":${call.tokens}}}`;
  sendJsonAnswer(exchange, { body, delayMs: latency.ttftMs, fault: rule?.fault });
}

function parseEmbeddingCall(body: Record<string, unknown>): Parsed<EmbeddingCall> {
  const input = body.input;
  if (input === undefined) return fail("Missing required parameter: 'input'.", "input", "missing_required_parameter");
  const texts: string[] = [];
  let tokens = 0;
  const items: unknown[] =
    typeof input === "string" || (Array.isArray(input) && typeof input[0] === "number")
      ? [input]
      : Array.isArray(input)
        ? input
        : [];
  for (const item of items) {
    if (typeof item === "string") {
      texts.push(item);
      tokens += countTextTokens(item);
    } else if (Array.isArray(item) && item.every((token) => Number.isInteger(token))) {
      // Pre-tokenised input: the token ids stand in for the text.
      texts.push(item.join(" "));
      tokens += item.length;
    } else {
      return fail("Invalid 'input': expected a string, an array of strings, or token arrays.", "input", "invalid_type");
    }
  }
  if (texts.length === 0)
    return fail("Invalid 'input': expected a non-empty string or array.", "input", "invalid_value");
  const dimensions = body.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > MAX_DIMENSIONS) {
    return fail(
      `Invalid 'dimensions': expected an integer from 1 to ${MAX_DIMENSIONS}.`,
      "dimensions",
      "invalid_value",
    );
  }
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    return fail("Invalid 'encoding_format': expected 'float' or 'base64'.", "encoding_format", "invalid_value");
  }
  return { ok: true, value: { texts, tokens, dimensions: dimensions as number, base64: format === "base64" } };
}

/**
 * A unit vector from hashed features of the text: each lower-cased word and each pair
 * of neighbouring words adds +-1 to dimensions picked by its hash. Equal texts get
 * equal vectors, and texts sharing most words get close ones, which is what tests
 * of a semantic cache need. A text with no words gets a vector seeded by its hash.
 */
export function embedText(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let previous: string | undefined;
  let features = 0;
  for (const match of text.toLowerCase().matchAll(WORD_PATTERN)) {
    const word = match[0];
    addFeature(vector, hashText(HASH_SEED, word), 1);
    if (previous !== undefined) addFeature(vector, hashText(hashText(HASH_SEED, previous), word), 0.5);
    previous = word;
    features++;
  }
  let norm = features === 0 ? 0 : squaredNorm(vector);
  // No words, or features that cancelled out (likely only at a handful of dimensions).
  if (norm === 0) {
    const random = seededRandom(hashText(HASH_SEED, text));
    for (let index = 0; index < dimensions; index++) vector[index] = random() * 2 - 1;
    norm = squaredNorm(vector);
  }
  const scale = 1 / Math.sqrt(norm);
  for (let index = 0; index < dimensions; index++) vector[index] = vector[index]! * scale;
  return vector;
}

function squaredNorm(vector: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < vector.length; index++) sum += vector[index]! * vector[index]!;
  return sum;
}

function addFeature(vector: Float32Array, hash: number, weight: number): void {
  // Two slots per feature, so a collision in one of them rarely merges two words.
  const second = Math.imul(hash ^ (hash >>> 13), 0x9e3779b1) >>> 0;
  vector[hash % vector.length]! += hash & 0x80000000 ? weight : -weight;
  vector[second % vector.length]! += second & 0x80000000 ? weight : -weight;
}
