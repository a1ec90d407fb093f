import { KeelError } from "@keel/spec";
import type { Refusal } from "./rate-limit-types.ts";

const SCOPE_NAMES = { key: "API key", tenant: "tenant" } as const;

/** RATE_LIMITED naming the scope and the kind of limit; retryable after retryAfterMs unless the request can never fit. */
export function rateLimitedError(refusal: Refusal): KeelError {
  const scope = SCOPE_NAMES[refusal.scope];
  const tooLarge = refusal.retryAfterMs < 0;
  const message = tooLarge
    ? `the request needs more tokens than this ${scope}'s tokens-per-minute limit`
    : refusal.kind === "concurrency"
      ? `too many concurrent requests for this ${scope}`
      : `${refusal.kind}-per-minute limit reached for this ${scope}`;
  return new KeelError("RATE_LIMITED", message, {
    retryable: !tooLarge,
    ...(tooLarge ? {} : { retryAfterMs: refusal.retryAfterMs }),
    details: {
      scope: refusal.scope,
      kind: refusal.kind,
      limit: refusal.limit,
      ...(tooLarge ? { reason: "request-too-large" } : { retryAfterMs: refusal.retryAfterMs }),
    },
  });
}

/** What a fail-closed limiter answers while its store is down. */
export function limiterUnavailableError(cause: unknown): KeelError {
  return new KeelError("UPSTREAM_UNAVAILABLE", "rate limits cannot be checked right now", {
    retryable: true,
    retryAfterMs: 1_000,
    cause,
    details: { reason: "rate-limiter-unavailable" },
  });
}
