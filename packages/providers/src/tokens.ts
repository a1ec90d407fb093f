import { createRequire } from "node:module";
import type { ChatMessage } from "@keel/spec";

interface Encoding {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

type EncodingName = "o200k_base" | "cl100k_base";

// The encodings are loaded on first use, not at import: o200k's rank table takes about
// 340 ms and ~100 MB to load here, and a provider whose upstream always reports usage
// never needs it. `require` keeps countTokens synchronous.
const require = createRequire(import.meta.url);
const loaded = new Map<EncodingName, Encoding>();

function encoding(name: EncodingName): Encoding {
  let found = loaded.get(name);
  if (found === undefined) {
    found = require(`gpt-tokenizer/encoding/${name}`) as Encoding;
    loaded.set(name, found);
  }
  return found;
}

// gpt-4o, gpt-4.1, gpt-4.5, gpt-5, chatgpt-4o and the o-series use o200k; older and
// unknown models (self-hosted ones included) are estimated with cl100k.
const O200K_MODELS = /^(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o\d)/;

function encodingFor(model: string | undefined): EncodingName {
  return model !== undefined && O200K_MODELS.test(model) ? "o200k_base" : "cl100k_base";
}

// Text that happens to contain "<|endoftext|>" is counted as plain text, never thrown on.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

// BPE merging is quadratic in the length of one pre-token (a run without whitespace):
// 100,000 "a"s took 15 s, so an upstream answer (or a prompt) of one long run would block
// the event loop for hours. Longer runs are counted in slices of this many characters;
// the count of such a run may differ by a token per slice, and it is an estimate anyway.
const MAX_RUN = 256;

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x3000 || code === 0x2028;
}

/** The encoder's count, with runs of more than MAX_RUN non-whitespace characters sliced. */
function countText(encoder: Encoding, text: string): number {
  let total = 0;
  let start = 0;
  let run = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isWhitespace(code)) {
      run = 0;
    } else if (++run >= MAX_RUN && !(code >= 0xd800 && code <= 0xdbff)) {
      // Never between the halves of a surrogate pair.
      total += encoder.countTokens(text.slice(start, index + 1), PLAIN_TEXT);
      start = index + 1;
      run = 0;
    }
  }
  if (start === 0) return encoder.countTokens(text, PLAIN_TEXT);
  return start < text.length ? total + encoder.countTokens(text.slice(start), PLAIN_TEXT) : total;
}

/** Tokens in `text` under the model's encoding (o200k for 4o/4.1/5/o-series, cl100k otherwise). */
export function countTokens(text: string, model?: string): number {
  if (text.length === 0) return 0;
  return countText(encoding(encodingFor(model)), text);
}

// OpenAI's published way of counting a chat prompt: every message costs 3 tokens of
// framing plus its role, content and name (a name adds 1 more), and the reply is
// primed with 3 tokens.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

/** Prompt tokens of a chat request, per-message framing included, as OpenAI counts them. */
export function countChatTokens(messages: ChatMessage[], model?: string): number {
  const encoder = encoding(encodingFor(model));
  let total = REPLY_PRIMING;
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + encoder.countTokens(message.role, PLAIN_TEXT);
    if (message.content) total += countText(encoder, message.content);
    if (message.name) total += TOKENS_PER_NAME + countText(encoder, message.name);
    if (message.toolCalls) {
      for (const call of message.toolCalls) {
        total += countText(encoder, call.function.name) + countText(encoder, call.function.arguments);
      }
    }
  }
  return total;
}
