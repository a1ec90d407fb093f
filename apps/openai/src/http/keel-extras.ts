import { USD_DECIMALS, type FallbackReport, type Generation } from "@keel/spec";

/** Keel's envelope beside OpenAI's fields: everything but what `choices` already carries. */
export type KeelEnvelope = Omit<Generation, "content" | "toolCalls">;

export function envelopeOf(generation: Generation): KeelEnvelope {
  const { content: _content, toolCalls: _toolCalls, ...envelope } = generation;
  return envelope;
}

/**
 * The response headers that tell what Keel did, for callers that read only OpenAI's body:
 * - `x-keel-cache`: miss | exact | semantic | stale
 * - `x-keel-cost-usd`: the request's cost in dollars, as a decimal
 * - `x-keel-attempts`: upstream calls made (retries, fallbacks and re-asks included; 0 for a cache hit)
 * - `x-keel-fallback`: `answered-by=<provider/model>`, then `failed=<target>:<code>,...` when
 *   targets failed before it, and `degraded=stale|static` when none answered
 * - `x-keel-latency-ms`, and `x-keel-review=<id>` when the answer is held for human review
 */
export function keelHeaders(generation: Generation): Record<string, string> {
  const headers: Record<string, string> = {
    "x-keel-cache": generation.cache,
    "x-keel-cost-usd": usd(generation.costUsd),
    "x-keel-attempts": String(generation.attempts),
    "x-keel-fallback": fallbackHeader(generation.fallback),
    "x-keel-latency-ms": String(Math.round(generation.latencyMs)),
  };
  if (generation.review !== undefined) headers["x-keel-review"] = generation.review.id;
  return headers;
}

/** A dollar amount without exponent notation (String(1.2e-7) is "1.2e-7") or trailing zeros. */
function usd(amount: number): string {
  const fixed = amount.toFixed(USD_DECIMALS);
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

function fallbackHeader(report: FallbackReport): string {
  const parts = [`answered-by=${report.answeredBy ?? "none"}`];
  if (report.failed.length > 0)
    parts.push(`failed=${report.failed.map((failure) => `${failure.target}:${failure.code}`).join(",")}`);
  if (report.degraded !== undefined) parts.push(`degraded=${report.degraded}`);
  return parts.join("; ");
}
