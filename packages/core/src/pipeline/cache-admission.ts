import { DEFAULT_TENANT, KeelError, type CacheMode, type ChatRequest } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";

/** A caller's TTL above this is refused unless the route's cache policy sets its own `maxTtlSeconds`. */
export const DEFAULT_MAX_TTL_SECONDS = 86_400;

const ALL_MODES: readonly CacheMode[] = ["default", "bypass", "refresh", "only-if-cached"];

/**
 * What a caller may ask of the cache, checked when the request is admitted (before any
 * cache read or upstream call): a TTL up to the route's `maxTtlSeconds`, a mode among its
 * `callerModes`, and `refresh` of a namespace that other tenants share (overwriting the
 * answer they are served) only where the route allows `sharedRefresh`.
 */
export function checkCacheControl(config: KeelConfig, request: ChatRequest, tenant: string | undefined): void {
  const control = request.cache;
  if (control === undefined) return;
  const route = Object.hasOwn(config.models, request.model) ? config.models[request.model] : undefined;
  const policy = { ...config.cache.defaults, ...route?.cache };
  const maxTtl = policy.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  if (control.ttlSeconds !== undefined && control.ttlSeconds > maxTtl) {
    throw new KeelError("BAD_REQUEST", `cache.ttlSeconds: at most ${maxTtl} seconds on this route`, {
      details: { field: "cache.ttlSeconds", reason: "ttl-too-long", limit: maxTtl },
    });
  }
  const mode = control.mode ?? "default";
  const allowed = policy.callerModes ?? ALL_MODES;
  if (!allowed.includes(mode)) {
    throw new KeelError(
      "FORBIDDEN",
      `cache.mode "${mode}" is not allowed on this route (allowed: ${allowed.join(", ")})`,
      {
        details: { field: "cache.mode", reason: "cache-mode-not-allowed" },
      },
    );
  }
  if (mode === "refresh" && !policy.sharedRefresh && isSharedNamespace(config, tenant ?? DEFAULT_TENANT)) {
    throw new KeelError("FORBIDDEN", "cache.mode refresh would replace answers other tenants share; not allowed here", {
      details: { field: "cache.mode", reason: "shared-refresh-not-allowed" },
    });
  }
}

/** True when another tenant is mapped to this tenant's cache namespace (`cache.sharedNamespaces`). */
function isSharedNamespace(config: KeelConfig, tenant: string): boolean {
  const shared = config.cache.sharedNamespaces;
  const namespace = Object.hasOwn(shared, tenant) ? shared[tenant] : undefined;
  if (namespace === undefined) return false;
  return Object.entries(shared).some(([other, otherNamespace]) => other !== tenant && otherNamespace === namespace);
}
