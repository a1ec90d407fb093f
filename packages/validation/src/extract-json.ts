import { jsonrepair } from "jsonrepair";

export type ExtractResult = { success: true; value: unknown; repaired: boolean } | { success: false; error: string };

const FENCE = /```[\w-]*[^\S\n]*\n?([\s\S]*?)(?:```|$)/;
// Bounds the work on a long answer full of brackets that are not JSON.
const MAX_CANDIDATES = 8;

/**
 * Pulls a JSON value out of a model's answer. Pure JSON parses as is (`repaired:
 * false`); otherwise the JSON is taken from a fenced code block or from the prose
 * around it, and near-JSON (trailing commas, single quotes, unquoted keys, missing
 * closing brackets) is repaired with jsonrepair (`repaired: true`). A miss is a value,
 * not an exception: the re-ask loop treats it as one more validation error.
 */
export function extractJson(text: string): ExtractResult {
  const direct = parseStrict(text);
  if (direct.ok) return { success: true, value: direct.value, repaired: false };

  const fenced = FENCE.exec(text);
  const source = fenced?.[1] ?? text;
  // Prose may hold bracketed bits that are JSON too ("see [1]"): of the top-level spans
  // that parse, the longest is taken as the answer.
  let best: { value: unknown; length: number } | undefined;
  let lastError = "no JSON object or array found in the answer";
  let start = nextOpening(source, 0);
  for (let tried = 0; start !== -1 && tried < MAX_CANDIDATES; tried++) {
    const end = closingIndex(source, start);
    // An unbalanced span is a truncated answer: everything to the end, to be closed by repair.
    const candidate = end === -1 ? source.slice(start) : source.slice(start, end + 1);
    const parsed = parseStrict(candidate);
    const result = parsed.ok ? parsed : repair(candidate);
    if (result.ok) {
      if (best === undefined || candidate.length > best.length)
        best = { value: result.value, length: candidate.length };
      if (end === -1) break;
      start = nextOpening(source, end + 1);
    } else {
      lastError = result.error;
      start = nextOpening(source, start + 1);
    }
  }
  if (best !== undefined) return { success: true, value: best.value, repaired: true };
  return { success: false, error: lastError };
}

type Attempt = { ok: true; value: unknown } | { ok: false; error: string };

function parseStrict(text: string): Attempt {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

function repair(candidate: string): Attempt {
  try {
    return { ok: true, value: JSON.parse(jsonrepair(candidate)) };
  } catch (error) {
    return { ok: false, error: `not valid JSON and not repairable: ${messageOf(error)}` };
  }
}

function nextOpening(text: string, from: number): number {
  const brace = text.indexOf("{", from);
  const bracket = text.indexOf("[", from);
  if (brace === -1) return bracket;
  if (bracket === -1) return brace;
  return Math.min(brace, bracket);
}

/** Index of the bracket that closes the one at `start`, skipping strings; -1 when unbalanced. */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let quote = "";
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (quote !== "") {
      if (char === "\\") index++;
      else if (char === quote) quote = "";
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return index;
    }
  }
  return -1;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
