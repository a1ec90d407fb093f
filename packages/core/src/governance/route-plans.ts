import {
  createModelSelector,
  type ModelSelector,
  type PromptOptimisationOptions,
  type TokenPrice,
} from "@keel/governance";
import { countChatTokens, countTokens, type ContextWindowTable, type PriceTable } from "@keel/providers";
import type { ChatMessage } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import { upstreamModelOf } from "./targets.ts";

/** What governance knows about one route, built once from the config. */
export interface RoutePlan {
  readonly route: string;
  /** The route's configured fallback chain. */
  readonly targets: readonly string[];
  /** Present when the route declares `selection`. */
  readonly selector: ModelSelector | undefined;
  readonly optimisation: PromptOptimisationOptions | undefined;
  /** Prompt tokens of a message list as the route's first target counts them. */
  countTokens(messages: ChatMessage[]): number;
}

export interface RoutePlans {
  chat(route: string): RoutePlan | undefined;
  /** USD per million tokens of a target ("provider/model"); zero for a model the price table does not know. */
  priceOf(target: string): TokenPrice;
  /** The highest input and the highest output price among targets: what a fallback chain may cost at worst. */
  worstPrice(targets: readonly string[]): TokenPrice;
  /** Tokens of embedding inputs as the embedding model's encoding counts them. */
  countEmbeddingTokens(model: string, input: readonly string[]): number;
  /** The "provider/model" of an embedding model name, if configured. */
  embeddingTarget(model: string): string | undefined;
}

const FREE: TokenPrice = { inputPerMillion: 0, outputPerMillion: 0 };

export function createRoutePlans(options: {
  config: KeelConfig;
  prices: PriceTable;
  contextWindows: ContextWindowTable;
}): RoutePlans {
  const { config, prices, contextWindows } = options;
  const priceOf = (target: string): TokenPrice => prices.lookup(upstreamModelOf(target)) ?? FREE;
  const plans = new Map<string, RoutePlan>();
  for (const [route, settings] of Object.entries(config.models)) {
    const encodingModel = upstreamModelOf(settings.targets[0] as string);
    plans.set(route, {
      route,
      targets: settings.targets,
      selector: settings.selection
        ? createModelSelector({
            candidates: candidatesOf(settings).map((target) => ({
              target,
              // check-references made sure every candidate's window is known.
              contextWindow: contextWindows.lookup(upstreamModelOf(target)) ?? 0,
              price: priceOf(target),
            })),
            rules: settings.selection.rules,
            ...(settings.selection.escalation ? { escalation: settings.selection.escalation } : {}),
            defaultCompletionTokens: config.governance.defaultCompletionTokens,
            // No rule applies: the cheapest of the route's own targets that fits (rule "default").
            fallbackToCheapest: true,
            defaultTargets: settings.targets,
          })
        : undefined,
      optimisation: settings.optimisation,
      countTokens: (messages) => countChatTokens(messages, encodingModel),
    });
  }
  return {
    chat: (route) => plans.get(route),
    priceOf,
    worstPrice(targets) {
      let inputPerMillion = 0;
      let outputPerMillion = 0;
      for (const target of targets) {
        const price = priceOf(target);
        inputPerMillion = Math.max(inputPerMillion, price.inputPerMillion);
        outputPerMillion = Math.max(outputPerMillion, price.outputPerMillion);
      }
      return { inputPerMillion, outputPerMillion };
    },
    countEmbeddingTokens(model, input) {
      const target = Object.hasOwn(config.embeddingModels, model) ? config.embeddingModels[model] : undefined;
      const encodingModel = target === undefined ? undefined : upstreamModelOf(target);
      let total = 0;
      for (const text of input) total += countTokens(text, encodingModel);
      return total;
    },
    embeddingTarget: (model) =>
      Object.hasOwn(config.embeddingModels, model) ? config.embeddingModels[model] : undefined,
  };
}

/** Every target a route with `selection` may choose or escalate to, in first-mention order. */
export function candidatesOf(settings: KeelConfig["models"][string]): string[] {
  const all = new Set<string>(settings.targets);
  for (const rule of settings.selection?.rules ?? []) {
    for (const target of rule.targets) all.add(target);
    if (rule.escalation) all.add(rule.escalation);
  }
  if (settings.selection?.escalation) all.add(settings.selection.escalation);
  return [...all];
}
