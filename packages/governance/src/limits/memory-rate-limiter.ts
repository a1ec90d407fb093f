import { randomUUID } from "node:crypto";
import { emitSafely } from "../shared/events.ts";
import { errorMessage } from "../shared/redis-connection.ts";
import { positiveOption } from "../shared/options.ts";
import { scopesOf } from "./admission-scopes.ts";
import { gcraAdjust, gcraStep } from "./gcra.ts";
import { createLease, NOOP_LEASE } from "./lease.ts";
import { rateLimitedError } from "./rate-limit-errors.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";
import type { RateLimiter, RateLimiterOptions, Refusal, ScopeSpec, ScopeUsage } from "./rate-limit-types.ts";
import { worseRefusal } from "./refusal.ts";

export interface MemoryRateLimiterOptions extends RateLimiterOptions {
  /** Clock (ms). Default Date.now. */
  now?: () => number;
}

interface ScopeState {
  requestTat?: number;
  tokenTat?: number;
  /** Lease id to expiry time. */
  leases: Map<string, number>;
}

const SWEEP_EVERY = 1_024;

/** Limits in this process's memory, for one instance (the embedded default). Same algorithm as Redis. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const clock = options.now ?? Date.now;
  const periodMs = positiveOption({ value: options.periodMs, fallback: 60_000, field: "periodMs" });
  const leaseTtlMs = positiveOption({ value: options.leaseTtlMs, fallback: 60_000, field: "leaseTtlMs" });
  const concurrencyRetryAfterMs = positiveOption({
    value: options.concurrencyRetryAfterMs,
    fallback: 1_000,
    field: "concurrencyRetryAfterMs",
  });
  const states = new Map<string, ScopeState>();
  const heartbeats = new Set<() => void>();
  let admissions = 0;

  const stateOf = (tenantKey: string, spec: ScopeSpec): ScopeState => {
    const name = spec.scope === "tenant" ? `${tenantKey}\u0000tenant` : `${tenantKey}\u0000key\u0000${spec.id}`;
    let state = states.get(name);
    if (!state) {
      state = { leases: new Map() };
      states.set(name, state);
    }
    return state;
  };

  const sweep = (now: number) => {
    for (const [name, state] of states) {
      for (const [lease, expiresAt] of state.leases) if (expiresAt <= now) state.leases.delete(lease);
      const idle = (state.requestTat ?? 0) <= now && (state.tokenTat ?? 0) <= now && state.leases.size === 0;
      if (idle) states.delete(name);
    }
  };

  return {
    async admit(request) {
      const specs = scopesOf(request);
      if (specs.length === 0) return { admitted: true, lease: NOOP_LEASE, headers: {}, scopes: [] };
      const now = clock();
      if (++admissions % SWEEP_EVERY === 0) sweep(now);
      let refusal: Refusal | undefined;
      const plans = specs.map((spec) => {
        const state = stateOf(request.tenant, spec);
        for (const [lease, expiresAt] of state.leases) if (expiresAt <= now) state.leases.delete(lease);
        const usage: ScopeUsage = { scope: spec.scope };
        const requests = spec.requestsPerMinute
          ? gcraStep({ tat: state.requestTat, now, limit: spec.requestsPerMinute, periodMs, cost: 1 })
          : undefined;
        const tokens =
          spec.tokensPerMinute && request.tokens > 0
            ? gcraStep({ tat: state.tokenTat, now, limit: spec.tokensPerMinute, periodMs, cost: request.tokens })
            : spec.tokensPerMinute
              ? gcraStep({ tat: state.tokenTat, now, limit: spec.tokensPerMinute, periodMs, cost: 0 })
              : undefined;
        if (requests && !requests.allowed) {
          refusal = worseRefusal(refusal, {
            scope: spec.scope,
            kind: "requests",
            limit: spec.requestsPerMinute,
            retryAfterMs: requests.retryAfterMs,
          });
        }
        if (tokens && !tokens.allowed) {
          refusal = worseRefusal(refusal, {
            scope: spec.scope,
            kind: "tokens",
            limit: spec.tokensPerMinute,
            retryAfterMs: tokens.retryAfterMs,
          });
        }
        if (spec.concurrency && state.leases.size >= spec.concurrency) {
          refusal = worseRefusal(refusal, {
            scope: spec.scope,
            kind: "concurrency",
            limit: spec.concurrency,
            retryAfterMs: concurrencyRetryAfterMs,
          });
        }
        return { spec, state, usage, requests, tokens };
      });

      const leaseId = randomUUID();
      for (const { spec, state, usage, requests, tokens } of plans) {
        if (!refusal) {
          if (requests) state.requestTat = requests.tat;
          if (tokens) state.tokenTat = tokens.tat;
          if (spec.concurrency) state.leases.set(leaseId, now + leaseTtlMs);
        }
        // A refused admission reports each bucket as it stands, untouched by this request.
        const standing = (tat: number | undefined, limit: number) => gcraStep({ tat, now, limit, periodMs, cost: 0 });
        const requestFigures = refusal && requests ? standing(state.requestTat, spec.requestsPerMinute) : requests;
        const tokenFigures = refusal && tokens ? standing(state.tokenTat, spec.tokensPerMinute) : tokens;
        if (requestFigures) {
          usage.requests = {
            limit: spec.requestsPerMinute,
            remaining: requestFigures.remaining,
            resetMs: requestFigures.resetMs,
          };
        }
        if (tokenFigures) {
          usage.tokens = {
            limit: spec.tokensPerMinute,
            remaining: tokenFigures.remaining,
            resetMs: tokenFigures.resetMs,
          };
        }
        if (spec.concurrency) usage.concurrency = { limit: spec.concurrency, active: state.leases.size };
      }
      const scopes = plans.map((plan) => plan.usage);
      if (refusal) {
        emitSafely(options.onEvent, {
          type: "rate-limited",
          scope: refusal.scope,
          kind: refusal.kind,
          ...(refusal.retryAfterMs >= 0 ? { retryAfterMs: refusal.retryAfterMs } : {}),
        });
        return {
          admitted: false,
          error: rateLimitedError(refusal),
          headers: rateLimitHeaders(scopes, refusal),
          scopes,
        };
      }
      const slotted = plans.filter((plan) => plan.spec.concurrency > 0);
      const lease = createLease({
        reservedTokens: request.tokens,
        holdsSlot: slotted.length > 0,
        renewEveryMs: leaseTtlMs / 3,
        registry: heartbeats,
        onError: (operation, error) =>
          emitSafely(options.onEvent, { type: "governance-store-error", operation, message: errorMessage(error) }),
        // States are looked up again: an idle one may have been swept and recreated meanwhile.
        async renew() {
          for (const { spec } of slotted) {
            const state = stateOf(request.tenant, spec);
            if (state.leases.has(leaseId)) state.leases.set(leaseId, clock() + leaseTtlMs);
          }
        },
        async settle({ deltaTokens, release }) {
          const at = clock();
          for (const { spec } of plans) {
            const state = stateOf(request.tenant, spec);
            if (deltaTokens !== 0 && spec.tokensPerMinute) {
              state.tokenTat = gcraAdjust({
                tat: state.tokenTat,
                now: at,
                limit: spec.tokensPerMinute,
                periodMs,
                delta: deltaTokens,
              });
            }
            if (release) state.leases.delete(leaseId);
          }
        },
      });
      return { admitted: true, lease, headers: rateLimitHeaders(scopes), scopes };
    },
    health: () => ({ ok: true, kind: "memory" }),
    async close() {
      for (const stop of [...heartbeats]) stop();
    },
  };
}
