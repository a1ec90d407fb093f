import { KeelError, type CacheMode, type ChatRequest } from "@keel/spec";
import { positiveOption } from "./options.ts";

/** How a route (the request's `model` name) uses the cache. */
export interface RoutePolicy {
  /** How long a stored answer is fresh. Default 3,600 s. `request.cache.ttlSeconds` overrides it per request. */
  ttlSeconds?: number;
  /** The oldest answer this route serves as fresh, whatever the TTL it was stored with. Default: no limit. */
  maxAgeSeconds?: number;
  /** How long past freshness an answer is kept for stale-if-error. Default 86,400 s; 0 turns stale-if-error off. */
  staleGraceSeconds?: number;
  /** Cache answers to non-deterministic requests (temperature > 0 and no seed) too. Default false. */
  cacheNonDeterministic?: boolean;
  /** Default true. */
  enabled?: boolean;
}

export interface ResolvedPolicy {
  ttlMs: number;
  maxAgeMs: number;
  staleGraceMs: number;
  cacheNonDeterministic: boolean;
  enabled: boolean;
}

const MODES: ReadonlySet<string> = new Set(["default", "bypass", "refresh", "only-if-cached"]);

/**
 * Resolves a route's policy once and remembers it: routes are few, requests many. The
 * route is the caller's `model`, so names without a policy of their own all share the
 * defaults' one entry: a caller sending ever new names cannot grow the memo.
 */
export function createPolicyResolver(defaults: RoutePolicy = {}, routes: Record<string, RoutePolicy> = {}) {
  const resolved = new Map<string, ResolvedPolicy>();
  let defaultPolicy: ResolvedPolicy | undefined;
  return (route: string): ResolvedPolicy => {
    if (!Object.hasOwn(routes, route)) {
      defaultPolicy ??= resolve({ ...defaults }, route);
      return defaultPolicy;
    }
    let policy = resolved.get(route);
    if (!policy) {
      policy = resolve({ ...defaults, ...routes[route] }, route);
      resolved.set(route, policy);
    }
    return policy;
  };
}

function resolve(policy: RoutePolicy, route: string): ResolvedPolicy {
  const field = (name: string) => `routes.${route}.${name}`;
  return {
    ttlMs: positiveOption({ value: policy.ttlSeconds, fallback: 3_600, field: field("ttlSeconds") }) * 1_000,
    maxAgeMs:
      positiveOption({ value: policy.maxAgeSeconds, fallback: Infinity, field: field("maxAgeSeconds") }) * 1_000,
    staleGraceMs:
      positiveOption({
        value: policy.staleGraceSeconds,
        fallback: 86_400,
        field: field("staleGraceSeconds"),
        allowZero: true,
      }) * 1_000,
    cacheNonDeterministic: policy.cacheNonDeterministic ?? false,
    enabled: policy.enabled ?? true,
  };
}

/** Deterministic: temperature 0, or a seed set. An absent temperature is the provider's default (not 0). */
export function isDeterministic(request: ChatRequest): boolean {
  return request.temperature === 0 || request.seed !== undefined;
}

/** The request's cache mode and TTL override, checked: bad values are a BAD_REQUEST naming the field. */
export function cacheControlOf(request: ChatRequest): { mode: CacheMode; ttlMs: number | undefined } {
  const control = request.cache;
  if (control === undefined) return { mode: "default", ttlMs: undefined };
  const mode = control.mode ?? "default";
  if (!MODES.has(mode))
    throw new KeelError("BAD_REQUEST", `cache.mode must be one of ${[...MODES].join(", ")}`, {
      details: { field: "cache.mode" },
    });
  const ttlSeconds = control.ttlSeconds;
  if (ttlSeconds !== undefined && !(typeof ttlSeconds === "number" && Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
    throw new KeelError("BAD_REQUEST", "cache.ttlSeconds must be a positive number", {
      details: { field: "cache.ttlSeconds" },
    });
  }
  return { mode, ttlMs: ttlSeconds === undefined ? undefined : ttlSeconds * 1_000 };
}

/** Tenants are isolated unless `sharedNamespaces` maps them to one namespace. */
export function namespaceOf(tenant: string, sharedNamespaces: Record<string, string> | undefined): string {
  const shared = sharedNamespaces && Object.hasOwn(sharedNamespaces, tenant) ? sharedNamespaces[tenant] : undefined;
  // The prefixes keep a tenant called like a shared namespace from reading it.
  return shared === undefined ? `tenant:${tenant}` : `shared:${shared}`;
}

/** The error for only-if-cached with no fresh entry: not a bad request, and nothing upstream failed. */
export function notCachedError(): KeelError {
  return new KeelError("UPSTREAM_UNAVAILABLE", "no cached answer for this request (cache mode only-if-cached)", {
    retryable: false,
    details: { reason: "not-cached" },
  });
}
