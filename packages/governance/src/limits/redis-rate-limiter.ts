import { randomUUID } from "node:crypto";
import { emitSafely } from "../shared/events.ts";
import { tenantTag } from "../shared/identifiers.ts";
import { positiveOption } from "../shared/options.ts";
import { connectRedis, errorMessage, type RedisOptions } from "../shared/redis-connection.ts";
import { scopesOf } from "./admission-scopes.ts";
import { createLease, NOOP_LEASE } from "./lease.ts";
import { limiterUnavailableError, rateLimitedError } from "./rate-limit-errors.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";
import { ADMIT_SCRIPT, RENEW_SCRIPT, SETTLE_SCRIPT } from "./rate-limit-scripts.ts";
import type {
  Admission,
  FailMode,
  RateLimiter,
  RateLimiterOptions,
  ScopeSpec,
  ScopeUsage,
} from "./rate-limit-types.ts";
import type { LimitKind } from "../shared/events.ts";

export interface RedisRateLimiterOptions extends RateLimiterOptions {
  redis: RedisOptions;
  /** When Redis fails or is slower than its command timeout: `open` admits (default), `closed` refuses. */
  failMode?: FailMode;
}

const KINDS: Record<number, LimitKind> = { 1: "requests", 2: "tokens", 3: "concurrency" };

/**
 * Limits shared by every instance on one Redis: one Lua script per admission (one round
 * trip) checks and charges the key and tenant scopes atomically. Keys:
 * `<prefix>rl:{<tenant tag>}:tenant:rate|conc` and `<prefix>rl:{<tenant tag>}:key:<id>:rate|conc`.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const connection = connectRedis(options.redis);
  const periodMs = positiveOption({ value: options.periodMs, fallback: 60_000, field: "periodMs" });
  const leaseTtlMs = Math.ceil(positiveOption({ value: options.leaseTtlMs, fallback: 60_000, field: "leaseTtlMs" }));
  const concurrencyRetryAfterMs = positiveOption({
    value: options.concurrencyRetryAfterMs,
    fallback: 1_000,
    field: "concurrencyRetryAfterMs",
  });
  const failMode = options.failMode ?? "open";
  const admitScript = connection.script("RateAdmit", ADMIT_SCRIPT);
  const settleScript = connection.script("RateSettle", SETTLE_SCRIPT);
  const renewScript = connection.script("RateRenew", RENEW_SCRIPT);
  const heartbeats = new Set<() => void>();
  const reportError = (operation: string, error: unknown) =>
    emitSafely(options.onEvent, { type: "governance-store-error", operation, message: errorMessage(error) });

  const keysOf = (tenant: string, spec: ScopeSpec) => {
    const base = `${connection.prefix}rl:{${tenantTag(tenant)}}:`;
    const scope = spec.scope === "tenant" ? "tenant" : `key:${tenantTag(spec.id)}`;
    return { rate: `${base}${scope}:rate`, conc: `${base}${scope}:conc` };
  };

  return {
    async admit(request): Promise<Admission> {
      const specs = scopesOf(request);
      if (specs.length === 0) return { admitted: true, lease: NOOP_LEASE, headers: {}, scopes: [] };
      const keys = specs.flatMap((spec) => {
        const { rate, conc } = keysOf(request.tenant, spec);
        return [rate, conc];
      });
      const leaseId = randomUUID();
      let reply: number[];
      try {
        reply = (await admitScript(keys, [
          periodMs,
          leaseTtlMs,
          leaseId,
          request.tokens,
          concurrencyRetryAfterMs,
          ...specs.flatMap((spec) => [spec.requestsPerMinute, spec.tokensPerMinute, spec.concurrency]),
        ])) as number[];
      } catch (error) {
        emitSafely(options.onEvent, {
          type: "governance-unavailable",
          part: "rate-limiter",
          failMode,
          operation: "admit",
          message: errorMessage(error),
        });
        if (failMode === "open") return { admitted: true, lease: NOOP_LEASE, headers: {}, scopes: [] };
        return { admitted: false, error: limiterUnavailableError(error), headers: {}, scopes: [] };
      }
      const scopes = usageOf(specs, reply);
      if (reply[0] !== 1) {
        const spec = specs[(reply[1] ?? 1) - 1] as ScopeSpec;
        const kind = KINDS[reply[2] ?? 1] ?? "requests";
        const limit =
          kind === "requests" ? spec.requestsPerMinute : kind === "tokens" ? spec.tokensPerMinute : spec.concurrency;
        const refusal = { scope: spec.scope, kind, limit, retryAfterMs: reply[3] ?? 0 };
        emitSafely(options.onEvent, {
          type: "rate-limited",
          scope: refusal.scope,
          kind,
          ...(refusal.retryAfterMs >= 0 ? { retryAfterMs: refusal.retryAfterMs } : {}),
        });
        return {
          admitted: false,
          error: rateLimitedError(refusal),
          headers: rateLimitHeaders(scopes, refusal),
          scopes,
        };
      }
      const slotKeys = specs.filter((spec) => spec.concurrency > 0).map((spec) => keysOf(request.tenant, spec).conc);
      const lease = createLease({
        reservedTokens: request.tokens,
        holdsSlot: slotKeys.length > 0,
        renewEveryMs: leaseTtlMs / 3,
        registry: heartbeats,
        onError: reportError,
        renew: () => renewScript(slotKeys, [leaseTtlMs, leaseId]).then(() => undefined),
        settle: ({ deltaTokens, release }) =>
          settleScript(keys, [
            periodMs,
            leaseId,
            deltaTokens,
            release ? 1 : 0,
            ...specs.map((spec) => spec.tokensPerMinute),
          ]).then(() => undefined),
      });
      return { admitted: true, lease, headers: rateLimitHeaders(scopes), scopes };
    },
    health: () => connection.health(),
    async close() {
      for (const stop of [...heartbeats]) stop();
      await connection.close();
    },
  };
}

function usageOf(specs: ScopeSpec[], reply: number[]): ScopeUsage[] {
  return specs.map((spec, index) => {
    const at = (offset: number) => reply[4 + index * 5 + offset] ?? -1;
    const usage: ScopeUsage = { scope: spec.scope };
    if (spec.requestsPerMinute) usage.requests = { limit: spec.requestsPerMinute, remaining: at(0), resetMs: at(1) };
    if (spec.tokensPerMinute) usage.tokens = { limit: spec.tokensPerMinute, remaining: at(2), resetMs: at(3) };
    if (spec.concurrency) usage.concurrency = { limit: spec.concurrency, active: at(4) };
    return usage;
  });
}
