import { createFallbackChain, type Resilience, type TargetPolicy } from "@keel/resilience";
import type { KeelConfig } from "../config/schema.ts";
import type { ProviderRegistry } from "./provider-registry.ts";
import type { Route } from "./route-lookup.ts";

/**
 * Each route with its fallback chain of targets, each target its policy stack around its
 * provider (retry -> breaker -> concurrency -> timeout -> provider). Targets are shared by
 * name: two routes that name the same target share its breaker, limiter and retry budget.
 */
export function createRouteChains(options: {
  config: KeelConfig;
  providers: ProviderRegistry;
  resilience: Resilience;
}): Map<string, Route> {
  const { config, providers, resilience } = options;
  const routes = new Map<string, Route>();
  for (const [name, settings] of Object.entries(config.models)) {
    const targets = settings.targets.map((target) => ({
      name: target,
      model: resilience.target({ name: target, model: providers.chatModel(target), policy: policyFor(config, target) }),
    }));
    const model = createFallbackChain({
      targets,
      rules: { ...config.defaults.fallbackRules, ...settings.fallbackRules },
      hedging: settings.hedging ?? config.defaults.hedging,
    });
    routes.set(name, { name, settings, model });
  }
  return routes;
}

/** defaults.policy overlaid, section by section, with the target's own entry. */
export function policyFor(config: KeelConfig, target: string): TargetPolicy {
  const base: TargetPolicy = config.defaults.policy;
  const own: TargetPolicy | undefined = config.targetPolicies[target];
  if (!own) return base;
  return {
    retry: overlay(base.retry, own.retry),
    breaker: overlay(base.breaker, own.breaker),
    timeout: overlay(base.timeout, own.timeout),
    concurrency: overlay(base.concurrency, own.concurrency),
    stream: overlay(base.stream, own.stream),
  };
}

/** The target's section over the default's: merged field by field when both are objects, else the target's if set. */
function overlay<Section extends object | false>(
  base: Section | undefined,
  own: Section | undefined,
): Section | undefined {
  if (own === undefined) return base;
  if (own === false || base === undefined || base === false) return own;
  return { ...base, ...own };
}
