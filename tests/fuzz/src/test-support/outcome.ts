import { KEEL_ERROR_CODES } from "@keel/spec";
import { REQUEST_TIMEOUT_MS } from "./fuzz-stack.ts";

/** What one HTTP exchange ended in. */
export interface Exchange {
  status: number;
  text: string;
  elapsedMs: number;
}

/** The property every request must hold: an answer within its deadline (plus a margin for a busy machine). */
export const DEADLINE_MS = REQUEST_TIMEOUT_MS + 3_000;

/** Sends one request; a hang past DEADLINE_MS is a failure of the property, not of the test runner. */
export async function exchange(url: string, init: RequestInit = {}): Promise<Exchange> {
  const startedAt = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(DEADLINE_MS) });
  const text = await response.text();
  return { status: response.status, text, elapsedMs: Date.now() - startedAt };
}

const CODES: ReadonlySet<string> = new Set(KEEL_ERROR_CODES);

/**
 * Why an exchange breaks the property, or undefined when it holds: the answer is JSON, an
 * envelope or typed errors only (tRPC `data.keelCode`, GraphQL `extensions.code`), never
 * INTERNAL, never a 500, within the deadline, and no stack trace in the text.
 */
export function violation(kind: "trpc" | "graphql", answer: Exchange): string | undefined {
  if (answer.elapsedMs > DEADLINE_MS) return `answered after ${answer.elapsedMs} ms`;
  if (answer.status === 500) return `HTTP 500: ${answer.text.slice(0, 300)}`;
  if (/\bat .+\.(ts|js):\d+|node_modules/.test(answer.text)) return `a stack trace: ${answer.text.slice(0, 300)}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `not JSON (HTTP ${answer.status}): ${answer.text.slice(0, 200)}`;
  }
  const codes = kind === "trpc" ? trpcCodes(body) : graphqlCodes(body);
  if (codes === undefined) return `neither an answer nor a typed error: ${answer.text.slice(0, 300)}`;
  for (const code of codes) {
    if (!CODES.has(code)) return `untyped error code ${code}: ${answer.text.slice(0, 300)}`;
    if (code === "INTERNAL") return `INTERNAL: ${answer.text.slice(0, 300)}`;
  }
  return undefined;
}

/** Error codes of a tRPC answer (single or batch); [] for results; undefined for anything else. */
function trpcCodes(body: unknown): string[] | undefined {
  const items = Array.isArray(body) ? body : [body];
  const codes: string[] = [];
  for (const item of items) {
    if (!isRecord(item)) return undefined;
    if ("result" in item) continue;
    const error = item.error;
    if (!isRecord(error) || !isRecord(error.data) || typeof error.data.keelCode !== "string") return undefined;
    codes.push(error.data.keelCode);
  }
  return codes;
}

/** Error codes of a GraphQL answer; [] for data without errors; undefined for anything else. */
function graphqlCodes(body: unknown): string[] | undefined {
  if (!isRecord(body)) return undefined;
  if (body.errors === undefined) return "data" in body ? [] : undefined;
  if (!Array.isArray(body.errors)) return undefined;
  const codes: string[] = [];
  for (const error of body.errors) {
    if (!isRecord(error) || !isRecord(error.extensions) || typeof error.extensions.code !== "string") return undefined;
    codes.push(error.extensions.code);
  }
  return codes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
