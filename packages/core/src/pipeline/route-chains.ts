import { createFallbackChain, type FallbackRules, type Resilience, type TargetPolicy } from "@keel/resilience";
import { KeelError, type Model } from "@keel/spec";
import type { KeelConfig, RouteConfig } from "../config/schema.ts";
import type { ProviderRegistry } from "./provider-registry.ts";
import type { Route } from "./route-lookup.ts";

/** Every route with its configured chain, and the chains model selection picks for a request. */
export interface RouteChains {
  /** Each configured route by name, with its fallback chain. */
  readonly routes: ReadonlyMap<string, Route>;
  /**
   * A chain over `targets` of `route` (chosen by the route's selection rules) with the
   * route's fallback rules and hedging: built on first use, then kept.
   */
  selected(route: string, targets: readonly string[]): Model;
}

/** Chains over selected targets kept at once; more distinct orders than this start the memo again. */
const MAX_SELECTED_CHAINS = 256;

/**
 * Each route with its fallback chain of targets, each target its policy stack around its
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
  const chainOver = (settings: RouteConfig, targets: readonly string[]): Model =>
    createFallbackChain({
      targets: targets.map(targetOf),
      rules: rulesFor({ ...config.defaults.fallbackRules, ...settings.fallbackRules }, targets),
      hedging: settings.hedging ?? config.defaults.hedging,
    });
  const routes = new Map<string, Route>();
  for (const [name, settings] of Object.entries(config.models))
    routes.set(name, { name, settings, model: chainOver(settings, settings.targets) });
  const selected = new Map<string, Model>();

  return {
    routes,
    selected(route, targets) {
      const key = `${route}\n${targets.join("\n")}`;
      let chain = selected.get(key);
      if (chain === undefined) {
        const settings = routes.get(route)?.settings;
        // Selection only runs on an admitted route; anything else is a bug in the pipeline.
        if (settings === undefined) throw new KeelError("INTERNAL", `no route "${route}" to select targets of`);
        if (selected.size >= MAX_SELECTED_CHAINS) selected.clear();
        chain = chainOver(settings, targets);
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
