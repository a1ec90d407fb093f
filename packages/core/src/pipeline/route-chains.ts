import { createFallbackChain, type FallbackRules, type Resilience, type TargetPolicy } from "@keel/resilience";
import type { Model } from "@keel/spec";
import type { KeelConfig, RouteConfig } from "../config/schema.ts";
import type { ProviderRegistry } from "./provider-registry.ts";

/** Each route's fallback chain, and the chains model selection picks for a request. */
export interface RouteChains {
  /** The route's configured chain; undefined for an unknown route. */
  chain(route: string): Model | undefined;
  /**
   * A chain over `targets` (chosen by the route's selection rules) with the route's
   * fallback rules and hedging: built on first use, then kept.
   */
  selected(route: string, targets: readonly string[]): Model;
}

/** Chains over selected targets kept at once; more distinct orders than this start the memo again. */
const MAX_SELECTED_CHAINS = 256;

/**
 * Each route as its fallback chain of targets, each target its policy stack around its
 * provider (retry -> breaker -> concurrency -> timeout -> provider). Targets are shared by
 * name: two routes (or selected chains) that name the same target share its breaker,
 * limiter and retry budget.
 */
export function createRouteChains(options: {
  config: KeelConfig;
  providers: ProviderRegistry;
  resilience: Resilience;
}): RouteChains {
  const { config, providers, resilience } = options;
  const targetOf = (name: string) => ({
    name,
    model: resilience.target({ name, model: providers.chatModel(name), policy: policyFor(config, name) }),
  });
  const chainOver = (route: string, targets: readonly string[]): Model => {
    const settings = config.models[route] as RouteConfig;
    return createFallbackChain({
      targets: targets.map(targetOf),
      rules: rulesFor({ ...config.defaults.fallbackRules, ...settings.fallbackRules }, targets),
      hedging: settings.hedging ?? config.defaults.hedging,
    });
  };
  const chains = new Map<string, Model>();
  for (const [route, settings] of Object.entries(config.models)) chains.set(route, chainOver(route, settings.targets));
  const selected = new Map<string, Model>();

  return {
    chain: (route) => chains.get(route),
    selected(route, targets) {
      const key = `${route}\n${targets.join("\n")}`;
      let chain = selected.get(key);
      if (chain === undefined) {
        if (selected.size >= MAX_SELECTED_CHAINS) selected.clear();
        chain = chainOver(route, targets);
        selected.set(key, chain);
      }
      return chain;
    },
  };
}

/** A jump to a target the selected chain lacks becomes "next": the chain moves on as it would without the rule. */
function rulesFor(rules: FallbackRules, targets: readonly string[]): FallbackRules {
  const kept: FallbackRules = {};
  for (const [failure, action] of Object.entries(rules) as Array<
    [keyof FallbackRules, FallbackRules[keyof FallbackRules]]
  >) {
    if (action === undefined) continue;
    kept[failure] = typeof action === "object" && !targets.includes(action.target) ? "next" : action;
  }
  return kept;
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
