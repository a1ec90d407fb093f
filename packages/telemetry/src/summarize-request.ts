import {
  KeelError,
  roundUsd,
  toKeelError,
  type EmbeddingResult,
  type Generation,
  type KeelErrorCode,
  type Operation,
} from "@keel/spec";
import type { RequestEventTally } from "./request-event-tally.ts";

/** Failures the caller caused (or policy refused): counted as `rejected`, not as errors of the system. */
const CALLER_CODES: ReadonlySet<KeelErrorCode> = new Set([
  "BAD_REQUEST",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "RATE_LIMITED",
  "BUDGET_EXCEEDED",
  "CONTENT_BLOCKED",
]);

export type RequestOutcome = "success" | "degraded" | "error" | "cancelled";

/** Everything known about one finished request: the source of its log line, metrics, ledger entry and spans. */
export interface RequestSummary {
  requestId: string;
  tenant: string;
  /** The service that took the request, when the caller said (ctx.service). */
  service: string | undefined;
  /** The API key's id (never its secret), when the request came with one. */
  keyId: string | undefined;
  /** "rule -> target" when the route's selection rules chose the model, plus any escalation. */
  selection: string | undefined;
  /** Prompt tokens the route's prompt transforms removed. */
  promptTokensSaved: number | undefined;
  operation: Operation;
  /** The model or route the caller asked for. */
  route: string;
  /** The model that answered, or "" when none did. */
  model: string;
  provider: string;
  outcome: RequestOutcome;
  rejected: boolean;
  /** miss | exact | semantic | stale | coalesced, or undefined when no cache took part. */
  cache: string | undefined;
  attempts: number;
  retries: number;
  fallback: string[] | undefined;
  startedAtMs: number;
  latencyMs: number;
  upstreamMs: number;
  overheadMs: number;
  /** Streams: time to the first chunk as the caller saw it. */
  ttftMs: number | undefined;
  upstreamTtftMs: number | undefined;
  inputTokens: number;
  outputTokens: number;
  estimated: boolean;
  costUsd: number;
  savedTokens: number;
  savedUsd: number;
  validation: { valid: boolean; attempts: number; repaired: boolean } | undefined;
  /** "stage:detector:kind:action" per safety finding (never the matched text). */
  safety: string[] | undefined;
  /** "hold" or "flag" when the answer went to human review. */
  review: "hold" | "flag" | undefined;
  errorCode: KeelErrorCode | undefined;
  errorMessage: string | undefined;
  /** The upstream's own words about a failure (from the error's cause): for the redacted log only, never a caller. */
  upstreamMessage: string | undefined;
  generationId: string | undefined;
}

export interface SummaryInput {
  tally: RequestEventTally;
  requestId: string;
  tenant: string;
  service?: string | undefined;
  keyId?: string | undefined;
  operation: Operation;
  route: string;
  startedAtMs: number;
  endedAtMs: number;
  generation?: Generation | undefined;
  embedding?: EmbeddingResult | undefined;
  error?: unknown;
  cancelled?: boolean;
  ttftMs?: number | undefined;
}

export function summarize(input: SummaryInput): RequestSummary {
  const { tally, generation, embedding } = input;
  const latencyMs = input.endedAtMs - input.startedAtMs;
  const summary: RequestSummary = {
    requestId: input.requestId,
    tenant: input.tenant,
    service: input.service,
    keyId: input.keyId,
    selection: tally.selection,
    promptTokensSaved: tally.promptTokensSaved,
    operation: input.operation,
    route: input.route,
    model: "",
    provider: providerOf(tally.lastTarget),
    outcome: "success",
    rejected: false,
    cache: tally.cacheLookup ? (tally.cacheServed ?? "miss") : undefined,
    attempts: tally.upstreamCalls,
    retries: tally.retries,
    fallback: tally.fallbacks,
    startedAtMs: input.startedAtMs,
    latencyMs,
    upstreamMs: tally.upstreamMs,
    overheadMs: Math.max(0, latencyMs - tally.upstreamMs - tally.backoffMs),
    ttftMs: input.ttftMs,
    upstreamTtftMs: tally.upstreamTtftMs,
    inputTokens: tally.upstreamInputTokens,
    outputTokens: tally.upstreamOutputTokens,
    estimated: tally.upstreamEstimated,
    costUsd: 0,
    savedTokens: tally.savedTokens,
    savedUsd: tally.savedUsd,
    validation:
      tally.validationAttempts === 0
        ? undefined
        : {
            valid: tally.validationValid === true,
            attempts: tally.validationAttempts,
            repaired: tally.validationRepaired,
          },
    safety: tally.safety,
    review: tally.review,
    errorCode: undefined,
    errorMessage: undefined,
    upstreamMessage: undefined,
    generationId: undefined,
  };
  if (generation !== undefined) fromGeneration(summary, generation, tally);
  else if (embedding !== undefined) fromEmbedding(summary, embedding);
  else if (input.cancelled === true) summary.outcome = "cancelled";
  else fromError(summary, input.error);
  return summary;
}

function fromGeneration(summary: RequestSummary, generation: Generation, tally: RequestEventTally): void {
  summary.model = generation.model;
  summary.provider = generation.provider;
  summary.attempts = generation.attempts;
  summary.generationId = generation.id;
  if (generation.fallback.failed.length > 0)
    summary.fallback = generation.fallback.failed.map((failure) => `${failure.target} (${failure.code})`);
  if (generation.validation !== undefined) {
    summary.validation = {
      valid: generation.validation.valid,
      attempts: generation.validation.attempts,
      repaired: generation.validation.repaired,
    };
  }
  if (summary.safety === undefined && generation.safety.input.length + generation.safety.output.length > 0) {
    summary.safety = [
      ...generation.safety.input.map(
        (finding) => `input:${finding.detector ?? finding.scanner}:${finding.kind}:${finding.action}`,
      ),
      ...generation.safety.output.map(
        (finding) => `output:${finding.detector ?? finding.scanner}:${finding.kind}:${finding.action}`,
      ),
    ];
  }
  const degraded = generation.fallback.degraded ?? tally.degraded;
  if (degraded !== undefined || generation.cache === "stale") summary.outcome = "degraded";
  // An answer from a cache, a stale entry or a joined in-flight call cost nothing now; it records what it saved.
  const servedFromCache = generation.cache !== "miss" || tally.cacheServed === "coalesced";
  if (servedFromCache) {
    summary.cache = tally.cacheServed ?? generation.cache;
    summary.inputTokens = 0;
    summary.outputTokens = 0;
    summary.costUsd = 0;
    if (tally.cacheServed === undefined) summary.savedTokens = generation.usage.totalTokens;
    return;
  }
  summary.inputTokens = generation.usage.promptTokens;
  summary.outputTokens = generation.usage.completionTokens;
  summary.estimated = generation.usage.estimated === true;
  // A structured call sums its attempts' costs; the ledger and the log get it without float noise.
  summary.costUsd = roundUsd(generation.costUsd);
}

function fromEmbedding(summary: RequestSummary, embedding: EmbeddingResult): void {
  summary.model = embedding.model;
  summary.provider = embedding.provider;
  if (embedding.cached) {
    summary.cache = "exact";
    summary.inputTokens = 0;
  } else {
    summary.inputTokens = embedding.usage.promptTokens;
  }
  summary.outputTokens = 0;
}

function fromError(summary: RequestSummary, thrown: unknown): void {
  const error = toKeelError(thrown);
  summary.outcome = "error";
  summary.errorCode = error.code;
  summary.errorMessage = error.message;
  summary.upstreamMessage = upstreamMessageOf(thrown);
  summary.rejected = CALLER_CODES.has(error.code);
  if (typeof error.details.attempts === "number") summary.attempts = error.details.attempts;
  if (error.details.fallback !== undefined && error.details.fallback.length > 0) {
    summary.fallback = error.details.fallback.map((failure) => `${failure.target} (${failure.code})`);
  }
}

/**
 * The first non-Keel error down the cause chain: what the upstream (or the socket) said.
 * A KeelError's message is Keel's own words; the cause keeps the upstream's.
 */
function upstreamMessageOf(thrown: unknown): string | undefined {
  let current: unknown = thrown;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (!KeelError.isInstance(current) && current.message !== "") return current.message;
    current = current.cause;
  }
  return undefined;
}

function providerOf(target: string | undefined): string {
  if (target === undefined) return "none";
  const slash = target.indexOf("/");
  return slash === -1 ? target : target.slice(0, slash);
}
