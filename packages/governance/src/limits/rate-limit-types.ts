import type { KeelError } from "@keel/spec";
import type { RateLimits } from "../keys/key-types.ts";
import type { EventHook, FailMode, LimitKind, LimitScope } from "../shared/events.ts";
import type { Health } from "../shared/redis-connection.ts";

export interface AdmissionRequest {
  tenant: string;
  /** The tenant's own limits (from config); absent means none at tenant level. */
  tenantLimits?: RateLimits;
  /** The API key's id and limits (from its record). */
  key?: { id: string; limits?: RateLimits };
  /** Tokens reserved against tokens-per-minute: estimated prompt tokens plus maxTokens. */
  tokens: number;
}

/** Where one scope stands after the admission (or before it, when refused). */
export interface ScopeUsage {
  scope: LimitScope;
  requests?: { limit: number; remaining: number; resetMs: number };
  tokens?: { limit: number; remaining: number; resetMs: number };
  concurrency?: { limit: number; active: number };
}

/** Header name (lower case) to value, as OpenAI sends them: x-ratelimit-limit-requests, ... */
export type RateLimitHeaders = Record<string, string>;

export type Admission =
  | { admitted: true; lease: RateLease; headers: RateLimitHeaders; scopes: ScopeUsage[] }
  /** `error` is RATE_LIMITED (or UPSTREAM_UNAVAILABLE when the limiter is down and fails closed). */
  | { admitted: false; error: KeelError; headers: RateLimitHeaders; scopes: ScopeUsage[] };

/** What an admitted request holds until it ends. Neither method ever throws. */
export interface RateLease {
  /** Charges or refunds the difference between the reserved tokens and the actual ones. Once. */
  reconcile(actualTokens: number): Promise<void>;
  /** Frees the concurrency slot (idempotent); with actualTokens, reconciles in the same round trip. */
  release(usage?: { actualTokens?: number }): Promise<void>;
}

export interface RateLimiter {
  /** One atomic check of every scope and kind; a refused request consumes nothing. */
  admit(request: AdmissionRequest): Promise<Admission>;
  health(): Health;
  /** Stops lease heartbeats (held leases then expire) and closes an owned connection. */
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** The window limits are counted over. Default 60,000 ms (limits are per minute); change it only in tests. */
  periodMs?: number;
  /** A concurrency lease not renewed for this long is dropped (its holder crashed). Default 60,000 ms. */
  leaseTtlMs?: number;
  /** Retry hint when a concurrency limit refuses (when a slot frees is unknown). Default 1,000 ms. */
  concurrencyRetryAfterMs?: number;
  onEvent?: EventHook;
}

/** One scope of one admission, resolved: 0 means "no limit of that kind". */
export interface ScopeSpec {
  scope: LimitScope;
  id: string;
  requestsPerMinute: number;
  tokensPerMinute: number;
  concurrency: number;
}

export interface Refusal {
  scope: LimitScope;
  kind: LimitKind;
  limit: number;
  /** -1: the request can never fit (more tokens than the limit). */
  retryAfterMs: number;
}

export type { FailMode };
