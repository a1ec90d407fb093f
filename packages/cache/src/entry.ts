import { KeelError, type FallbackFailure, type Generation, type RequestContext } from "@keel/spec";
import type { ResolvedPolicy } from "./policy.ts";

/** What is stored: the answer as the inner model returned it, when, and how long it is fresh. */
export interface CacheEntry {
  v: 1;
  storedAt: number;
  freshMs: number;
  generation: Generation;
  /** Semantic entries: the embedded text and its vector (base64 of Float32 values). */
  query?: string;
  vector?: string;
  embedder?: string;
  /** Semantic entries: the tenant namespace, so the index can count entries per namespace after a resync. */
  namespace?: string;
}

export function encodeEntry(entry: CacheEntry): string {
  return JSON.stringify(entry);
}

/** Undefined for anything that is not an entry of this version (a corrupt value is a miss). */
export function decodeEntry(text: string | undefined): CacheEntry | undefined {
  if (text === undefined) return undefined;
  try {
    const entry = JSON.parse(text) as CacheEntry;
    return entry.v === 1 && typeof entry.storedAt === "number" && typeof entry.generation?.content === "string"
      ? entry
      : undefined;
  } catch {
    return undefined;
  }
}

export function isFresh(entry: CacheEntry, policy: ResolvedPolicy, now: number): boolean {
  const age = now - entry.storedAt;
  return age < entry.freshMs && age <= policy.maxAgeMs;
}

/**
 * Only plain upstream answers are stored: no degraded, cached or invalid ones, none held for
 * human review (`review` set) and none filtered (finishReason "content_filter": a safe reply
 * in place of a blocked answer, or the provider's own filter).
 */
export function isStorable(generation: Generation): boolean {
  return (
    generation.cache === "miss" &&
    generation.fallback.degraded === undefined &&
    generation.finishReason !== "error" &&
    generation.finishReason !== "content_filter" &&
    generation.review === undefined &&
    generation.validation?.valid !== false
  );
}

/** A Float32Array (a prepared vector's values) is encoded as it is: the same bytes, no conversion. */
export function encodeVector(vector: readonly number[] | Float32Array): string {
  const values = vector instanceof Float32Array ? vector : Float32Array.from(vector);
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

export function decodeVector(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4)));
}

export function savedOf(generation: Generation): { savedTokens: number; savedUsd: number } {
  return { savedTokens: generation.usage.totalTokens, savedUsd: generation.costUsd };
}

const NO_USAGE = Object.freeze({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

/**
 * The envelope of an answer served without an upstream call: it cost this caller nothing
 * (usage and cost 0, attempts 0); what it saved is in the cache-hit event.
 */
export function servedFromCache(generation: Generation, cache: "exact" | "semantic", startedAt: number): Generation {
  return {
    ...generation,
    cache,
    attempts: 0,
    usage: { ...NO_USAGE },
    costUsd: 0,
    latencyMs: Date.now() - startedAt,
    fallback: { failed: [], answeredBy: generation.fallback.answeredBy },
  };
}

/** Stale-if-error applies to upstream failures only, never to a caller's own mistakes or limits. */
const NOT_STALE_CODES = new Set([
  "BAD_REQUEST",
  "CONTENT_BLOCKED",
  "VALIDATION_FAILED",
  "BUDGET_EXCEEDED",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "RATE_LIMITED",
]);

export function allowsStale(error: unknown, ctx: RequestContext): boolean {
  if (!KeelError.isInstance(error) || NOT_STALE_CODES.has(error.code)) return false;
  if (error.details.reason === "not-cached") return false;
  // A caller that went away needs no answer; a deadline that passed still does.
  const reason: unknown = ctx.signal.reason;
  return !ctx.signal.aborted || (reason instanceof Error && reason.name === "TimeoutError");
}

export function servedStale(generation: Generation, error: KeelError, startedAt: number): Generation {
  return {
    ...servedFromCache(generation, "exact", startedAt),
    cache: "stale",
    fallback: { failed: failuresOf(error), answeredBy: null, degraded: "stale" },
  };
}

function failuresOf(error: KeelError): FallbackFailure[] {
  const reported = error.details.fallback;
  if (Array.isArray(reported)) {
    return reported
      .filter(isFailure)
      .map((failure) => ({ target: failure.target, code: failure.code, message: failure.message }));
  }
  return [
    {
      target: typeof error.details.target === "string" ? error.details.target : "unknown",
      code: error.code,
      message: error.message,
    },
  ];
}

function isFailure(value: unknown): value is FallbackFailure {
  const failure = value as Partial<FallbackFailure> | null;
  return (
    typeof failure === "object" &&
    failure !== null &&
    typeof failure.target === "string" &&
    typeof failure.code === "string" &&
    typeof failure.message === "string"
  );
}
