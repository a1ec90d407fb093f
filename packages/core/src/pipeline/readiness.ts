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

/**
 * Readiness as a service caller sees it (the GraphQL `health` query, tRPC's `health`): each
 * check's name and state, without its detail, which names upstream targets and carries
 * Redis's own error text. The details are for operators, on /readyz (issue 12.14).
 */
export function callerReadiness(readiness: Readiness): Readiness {
  const checks: Readiness["checks"] = {};
  for (const [name, check] of Object.entries(readiness.checks)) checks[name] = { ok: check.ok };
  return { ready: readiness.ready, checks };
}
