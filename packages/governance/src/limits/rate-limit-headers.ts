import type { RateLimitHeaders, Refusal, ScopeUsage } from "./rate-limit-types.ts";

/**
 * OpenAI's rate-limit headers from the scopes' figures: for requests and for tokens, the
 * scope with the least left speaks (ties: the later reset). A refusal adds `retry-after`
 * (seconds) and `retry-after-ms`, which the OpenAI SDKs honour.
 */
export function rateLimitHeaders(scopes: ScopeUsage[], refusal?: Refusal): RateLimitHeaders {
  const headers: RateLimitHeaders = {};
  for (const kind of ["requests", "tokens"] as const) {
    let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
    for (const usage of scopes) {
      const figures = usage[kind];
      if (!figures) continue;
      const tighter =
        !tightest ||
        figures.remaining < tightest.remaining ||
        (figures.remaining === tightest.remaining && figures.resetMs > tightest.resetMs);
      if (tighter) tightest = figures;
    }
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${kind}`] = formatDuration(tightest.resetMs);
  }
  if (refusal && refusal.retryAfterMs >= 0) {
    headers["retry-after"] = String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000)));
    headers["retry-after-ms"] = String(refusal.retryAfterMs);
  }
  return headers;
}

/** A duration the way OpenAI writes it (Go's format): "0s", "20ms", "1.5s", "6m0s", "1h2m3s". */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.ceil(milliseconds));
  if (ms === 0) return "0s";
  if (ms < 1_000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1_000;
  const secondsText = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, "")}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}
