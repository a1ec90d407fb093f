import { requireModel, type Escalation } from "@keel/governance";
import {
  KeelError,
  type ChatRequest,
  type Generation,
  type Middleware,
  type RequestContext,
  type StreamEvent,
} from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { GovernanceParts } from "./governance-parts.ts";
import { prepareChat, type PreparedChat } from "./prepare-chat.ts";
import type { RoutePlan, RoutePlans } from "./route-plans.ts";
import { createSpendMeter, type SpendMeter } from "./spend-meter.ts";
import {
  countsTokens,
  entitlementsOf,
  hasBudget,
  hasLimits,
  takeHold,
  type Entitlements,
  type SpendingHold,
} from "./spending-hold.ts";

/**
 * Admission, right inside telemetry (so every refusal is counted and logged): the models
 * the key and tenant may call (FORBIDDEN), the route's prompt transforms and guard and
 * model selection (BAD_REQUEST), rate limits (RATE_LIMITED, with the x-ratelimit-*
 * headers reported to the service) and the budget reservation (BUDGET_EXCEEDED). After
 * the call the reservation is settled at what every upstream answer actually cost and the
 * rate lease is released with the tokens actually used. A structured answer that fails
 * validation is retried once on the route's stronger target.
 */
export function governanceMiddleware(options: {
  config: KeelConfig;
  parts: GovernanceParts;
  plans: RoutePlans;
}): Middleware {
  const { config, parts, plans } = options;

  const authorise = (ctx: RequestContext, model: string): Entitlements => {
    const tenant = Object.hasOwn(config.tenants, ctx.tenant) ? config.tenants[ctx.tenant] : undefined;
    if (tenant?.allowedModels) requireModel({ allowedModels: tenant.allowedModels }, model);
    if (ctx.principal?.allowedModels) requireModel({ allowedModels: ctx.principal.allowedModels }, model);
    return entitlementsOf(ctx, config.tenants);
  };

  /** Everything before the call: checks, transforms, selection, limits and the reservation. */
  const beginChat = async (request: ChatRequest, ctx: RequestContext) => {
    const entitled = authorise(ctx, request.model);
    const plan = plans.chat(request.model);
    if (!plan || (!plan.selector && !plan.optimisation && !hasLimits(entitled) && !hasBudget(entitled))) {
      return undefined;
    }
    const prepared = prepareChat({ request, ctx, plan, plans, config, needsTokens: countsTokens(entitled) });
    const hold = await takeHold({
      parts,
      ctx,
      entitled,
      tokens: prepared.promptTokens + prepared.completionTokens,
      maxCostMicroUsd: prepared.maxCostMicroUsd,
    });
    const meter = createSpendMeter(ctx.events, plans.priceOf);
    const inner: RequestContext = {
      ...ctx,
      events: meter,
      ...(prepared.selection ? { targets: prepared.selection.chosen.chain } : {}),
    };
    return { prepared, hold, meter, inner, plan };
  };

  return {
    name: "governance",

    async wrapGenerate({ request, ctx, next }): Promise<Generation> {
      const begun = await beginChat(request, ctx);
      if (!begun) return next(request, ctx);
      const { prepared, hold, meter, inner, plan } = begun;
      try {
        let escalated: Escalation | undefined;
        let generation: Generation;
        try {
          generation = await next(prepared.request, inner);
        } catch (error) {
          escalated = escalationFor(error, prepared, plan);
          if (!escalated) throw error;
          inner.events.emit({ type: "model-escalated", route: plan.route, ...escalated });
          generation = await next(escalatedRequest(prepared.request), { ...inner, targets: [escalated.to] });
        }
        return decorate(generation, prepared, escalated);
      } finally {
        await release(hold, meter, prepared);
      }
    },

    async *wrapStream({ request, ctx, next }): AsyncIterable<StreamEvent> {
      const begun = await beginChat(request, ctx);
      if (!begun) {
        yield* next(request, ctx);
        return;
      }
      const { prepared, hold, meter, inner } = begun;
      try {
        for await (const event of next(prepared.request, inner)) {
          yield event.type === "done" ? { type: "done", generation: decorate(event.generation, prepared) } : event;
        }
      } finally {
        await release(hold, meter, prepared);
      }
    },

    async wrapEmbed({ request, ctx, next }) {
      const entitled = authorise(ctx, request.model);
      if (!hasLimits(entitled) && !hasBudget(entitled)) return next(request, ctx);
      const target = plans.embeddingTarget(request.model);
      const tokens = countsTokens(entitled) ? plans.countEmbeddingTokens(request.model, request.input) : 0;
      const price = target === undefined ? { inputPerMillion: 0, outputPerMillion: 0 } : plans.priceOf(target);
      const hold = await takeHold({
        parts,
        ctx,
        entitled,
        tokens,
        maxCostMicroUsd: Math.ceil(tokens * price.inputPerMillion),
      });
      const meter = createSpendMeter(ctx.events, plans.priceOf);
      try {
        return await next(request, { ...ctx, events: meter });
      } finally {
        await hold.release({ costMicroUsd: meter.costMicroUsd, tokens: meter.tokens });
      }
    },
  };
}

/**
 * What the request spent: every upstream answer's cost and tokens, and for a call whose
 * outcome is unknown (a stream its caller stopped) one attempt's maximum, so a budget
 * is never charged less than it may have cost.
 */
function release(hold: SpendingHold, meter: SpendMeter, prepared: PreparedChat): Promise<void> {
  const open = meter.openCalls;
  return hold.release({
    costMicroUsd: meter.costMicroUsd + open * prepared.attemptMaxMicroUsd,
    tokens: meter.tokens + open * (prepared.promptTokens + prepared.completionTokens),
  });
}

/** The one escalation a structured answer that failed validation gets, when the route names a stronger target. */
function escalationFor(error: unknown, prepared: PreparedChat, plan: RoutePlan): Escalation | undefined {
  if (!KeelError.isInstance(error) || error.code !== "VALIDATION_FAILED") return undefined;
  if (!prepared.request.structured || !prepared.selection || !plan.selector) return undefined;
  return plan.selector.escalate({
    selection: prepared.selection.chosen,
    input: prepared.selection.input,
    reason: "validation",
  });
}

/** One more attempt, no re-asks: the stronger model answers once (repair still applies). */
function escalatedRequest(request: ChatRequest): ChatRequest {
  return request.structured ? { ...request, structured: { ...request.structured, maxAttempts: 1 } } : request;
}

/** The envelope with what governance did: tokens the transforms saved, which rule chose the model, any escalation. */
function decorate(generation: Generation, prepared: PreparedChat, escalated?: Escalation): Generation {
  let decorated = generation;
  const optimisation = prepared.optimisation;
  if (optimisation && (optimisation.transforms.length > 0 || optimisation.dropped.length > 0)) {
    decorated = {
      ...decorated,
      usage: { ...decorated.usage, promptTokensSaved: optimisation.promptTokensSaved },
      optimisation: {
        transforms: optimisation.transforms.map(({ transform, messagesChanged, tokensSaved }) => ({
          transform,
          messagesChanged,
          tokensSaved,
        })),
        dropped: optimisation.dropped.map(({ index, role, reason, tokens }) => ({ index, role, reason, tokens })),
      },
    };
  }
  // A cached answer was not chosen by this request's selection: only a fresh one reports it.
  if (prepared.selection && (generation.cache === "miss" || escalated)) {
    decorated = {
      ...decorated,
      selection: {
        rule: prepared.selection.chosen.rule,
        target: prepared.selection.chosen.target,
        ...(escalated ? { escalated } : {}),
      },
    };
  }
  return decorated;
}
