import type { KeelConfig } from "../config/schema.ts";

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/**
 * Not ready when some route has every target's breaker open: it can only fail fast. The
 * cache is reported but never gates readiness: it fails open, so a broken Redis costs
 * hit rate, not answers.
 */
export function readinessOf(
  config: KeelConfig,
  breakers: Record<string, string>,
  cache: { ok: boolean; kind: string; message?: string },
): Readiness {
  const checks: Readiness["checks"] = {
    cache: { ok: cache.ok, detail: cache.message ? `${cache.kind}: ${cache.message}` : cache.kind },
  };
  let ready = true;
  for (const [route, settings] of Object.entries(config.models)) {
    const open = settings.targets.filter((target) => breakers[target] === "open");
    const ok = open.length < settings.targets.length;
    if (!ok) ready = false;
    checks[`route:${route}`] = { ok, ...(open.length > 0 ? { detail: `open circuits: ${open.join(", ")}` } : {}) };
  }
  return { ready, checks };
}
