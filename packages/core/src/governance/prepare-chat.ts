import {
  maxCostMicroUsd,
  optimisePrompt,
  selectionInputOf,
  type PromptOptimisation,
  type Selection,
  type SelectionInput,
} from "@keel/governance";
import type { ChatRequest, RequestContext } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { RoutePlan, RoutePlans } from "./route-plans.ts";

/** A chat request as governance leaves it for the rest of the pipeline, with what it decided. */
export interface PreparedChat {
  request: ChatRequest;
  /** Estimated prompt tokens after the transforms; 0 when nothing needed a count. */
  promptTokens: number;
  /** maxTokens, or the configured default when the request sets none. */
  completionTokens: number;
  optimisation: PromptOptimisation | undefined;
  selection: { chosen: Selection; input: SelectionInput } | undefined;
  /** The chain this request will try: the selection's, else the route's. */
  chain: readonly string[];
  /** The most one upstream attempt can cost at the chain's worst price. */
  attemptMaxMicroUsd: number;
  /** Upstream answers the request may pay for: re-asks of a structured call, a hedge, the escalation. */
  maxCostMicroUsd: number;
}

/**
 * The prompt transforms (with the maxPromptTokens guard: BAD_REQUEST before any upstream
 * call), the token estimate, model selection (BAD_REQUEST when no model has room) and the
 * request's worst-case cost. Pure apart from the events it emits.
 */
export function prepareChat(options: {
  request: ChatRequest;
  ctx: RequestContext;
  plan: RoutePlan;
  plans: RoutePlans;
  config: KeelConfig;
  needsTokens: boolean;
}): PreparedChat {
  const { plan, plans, config, ctx } = options;
  let request = options.request;
  let optimisation: PromptOptimisation | undefined;
  let promptTokens = 0;
  if (plan.optimisation) {
    optimisation = optimisePrompt(request.messages, plan.optimisation, (messages) => plan.countTokens(messages));
    promptTokens = optimisation.promptTokensAfter;
    if (optimisation.transforms.length > 0 || optimisation.dropped.length > 0) {
      request = { ...request, messages: optimisation.messages };
      ctx.events.emit({
        type: "prompt-optimised",
        route: plan.route,
        transforms: optimisation.transforms.map(({ transform, tokensSaved }) => ({ transform, tokensSaved })),
      });
    }
  } else if (options.needsTokens || plan.selector) {
    promptTokens = plan.countTokens(request.messages);
  }
  const completionTokens = request.maxTokens ?? config.governance.defaultCompletionTokens;

  let selection: PreparedChat["selection"];
  if (plan.selector) {
    const input = selectionInputOf(request, {
      promptTokens,
      ...(request.task === undefined ? {} : { task: request.task }),
    });
    const chosen = plan.selector.select(input);
    selection = { chosen, input };
    ctx.events.emit({ type: "model-selected", route: plan.route, rule: chosen.rule, target: chosen.target });
  }
  const chain = selection?.chosen.chain ?? plan.targets;
  const attemptMaxMicroUsd = maxCostMicroUsd({
    promptTokens,
    maxTokens: completionTokens,
    price: plans.worstPrice(chain),
  });
  const escalation = selection
    ? plan.selector?.escalate({ selection: selection.chosen, input: selection.input, reason: "validation" })
    : undefined;
  const escalationMax =
    request.structured && escalation
      ? maxCostMicroUsd({ promptTokens, maxTokens: completionTokens, price: plans.priceOf(escalation.to) })
      : 0;
  return {
    request,
    promptTokens,
    completionTokens,
    optimisation,
    selection,
    chain,
    attemptMaxMicroUsd,
    maxCostMicroUsd: attemptMaxMicroUsd * paidAttempts(request, config) + escalationMax,
  };
}

/** Upstream answers one request may pay for: each re-ask of a structured call, and a hedge's second answer. */
function paidAttempts(request: ChatRequest, config: KeelConfig): number {
  const { defaultMaxAttempts, maxAttemptsLimit } = config.validation;
  const reasks = request.structured
    ? Math.min(request.structured.maxAttempts ?? defaultMaxAttempts, maxAttemptsLimit)
    : 1;
  const route = Object.hasOwn(config.models, request.model) ? config.models[request.model] : undefined;
  const hedged = request.idempotent === true && (route?.hedging ?? config.defaults.hedging) !== false;
  return reasks * (hedged ? 2 : 1);
}
