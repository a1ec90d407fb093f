import type { Provider } from "@keel/providers";
import { createFallbackChain, type Resilience, type TargetPolicy } from "@keel/resilience";
import type { Model } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import { bindTarget } from "./targets.ts";

/**
 * Each route becomes its fallback chain, each target of a chain the per-target stack
 * (retry -> breaker -> concurrency -> timeout -> provider). Targets are shared by name:
 * two routes that name the same target share its breaker, limiter and retry budget.
 */
export function createRouteModels(
  config: KeelConfig,
  providers: Map<string, Provider>,
  resilience: Resilience,
): Map<string, Model> {
  const routes = new Map<string, Model>();
  for (const [route, settings] of Object.entries(config.models)) {
    const targets = settings.targets.map((name) => ({
      name,
      model: resilience.target({ name, model: bindTarget(providers, name), policy: policyFor(config, name) }),
    }));
    routes.set(
      route,
      createFallbackChain({
        targets,
        rules: { ...config.defaults.fallbackRules, ...settings.fallbackRules },
        hedging: settings.hedging ?? config.defaults.hedging,
      }),
    );
  }
  return routes;
}

/** defaults.policy overlaid, section by section, with the target's own entry. */
export function policyFor(config: KeelConfig, target: string): TargetPolicy {
  const base = config.defaults.policy as TargetPolicy;
  const own = config.targetPolicies[target] as TargetPolicy | undefined;
  if (!own) return base;
  const merged: TargetPolicy = { ...base };
  for (const key of Object.keys(own) as Array<keyof TargetPolicy>) {
    const value = own[key];
    const current = base[key];
    (merged as Record<string, unknown>)[key] =
      value && typeof value === "object" && current && typeof current === "object" ? { ...current, ...value } : value;
  }
  return merged;
}
