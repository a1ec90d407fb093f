import { createResilience } from "@keel/resilience";
import type { MetricsSnapshot, UsageQuery, UsageReport } from "@keel/telemetry";
import {
  KeelError,
  noopEventSink,
  roundUsd,
  type ChatRequest,
  type EmbeddingRequest,
  type EmbeddingResult,
  type Generation,
  type Operation,
  type StreamEvent,
} from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import { parseChatRequest, parseEmbeddingRequest } from "../request/parse-request.ts";
import type { ParsedStructuredRequest } from "../request/parsed-request.ts";
import { parseStructuredRequest, type StructuredRequestInput } from "../request/structured-request.ts";
import { checkCacheControl } from "./cache-admission.ts";
import { createPipelineCache } from "./cache-setup.ts";
import { wrapModel } from "./compose.ts";
import { createEmbeddingLookup } from "./embedding-routes.ts";
import { createInnermostModel } from "./innermost-model.ts";
import { createMiddlewares } from "./middlewares.ts";
import { createProviderRegistry } from "./provider-registry.ts";
import { toPublicStream } from "./public-stream.ts";
import { readinessOf, type Readiness } from "./readiness.ts";
import { normaliseFailure, openRequestScope, type CallOptions } from "./request-scope.ts";
import { createReviewApi, type PipelineReview } from "./review-api.ts";
import { checkRequestLimits } from "./request-limits.ts";
import { createRouteChains } from "./route-chains.ts";
import { createRouteLookup, type Route } from "./route-lookup.ts";
import { createPipelineSafety } from "./safety-setup.ts";
import { createPipelineTelemetry, type TelemetryOverrides } from "./telemetry-setup.ts";

/**
 * Every request is validated once: a plain object here, by the pipeline; a request a
 * service already parsed (`parseChatRequest`, `callerInputs`: a `ParsedChatRequest`, ...)
 * is taken as it is.
 */
export interface Pipeline {
  readonly config: KeelConfig;
  generate(request: ChatRequest, options?: CallOptions): Promise<Generation>;
  /** A chat request whose answer must satisfy a JSON Schema: repaired, re-asked, validated. */
  structured(request: StructuredRequestInput | ParsedStructuredRequest, options?: CallOptions): Promise<Generation>;
  /** Never throws: deltas, then exactly one `done` or one `error`. */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<StreamEvent>;
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResult>;
  /**
   * One tenant's usage and cost per model and day; never another tenant's. The tenant is
   * required: a forgotten tenant must not silently read the default tenant's figures.
   */
  usage(query: Omit<UsageQuery, "tenant">, scope: { tenant: string }): Promise<UsageReport>;
  /**
   * Rates, latency percentiles, error and cache-hit rates over 1m/5m/1h. For a tenant, its
   * own figures; `{ all: true }` is the operator's view across tenants and models (never
   * for a service caller).
   */
  metricsSnapshot(scope: { tenant: string } | { all: true }): MetricsSnapshot;
  readiness(): Promise<Readiness>;
  /** Human review of held and flagged answers, scoped by tenant: reviewer operations and the caller's poll/watch. */
  readonly review: PipelineReview;
  /** Prometheus text format, for GET /metrics. */
  metricsText(): Promise<string>;
  /** Flushes the usage ledger and stops timers; in-flight calls should be drained first. */
  close(): Promise<void>;
}

export type PipelineOptions = TelemetryOverrides;

/**
 * Builds the pipeline docs/design.md draws: the concern middlewares folded, in order, around
 * the route's fallback chain. Every request is validated, bounded by one deadline, and
 * leaves as a Generation or a KeelError.
 */
export function createPipeline(config: KeelConfig, options: PipelineOptions = {}): Pipeline {
  const providers = createProviderRegistry(config);
  const telemetry = createPipelineTelemetry(config, options);
  const resilience = createResilience({ events: telemetry.events });
  telemetry.setBreakerStates(() => resilience.breakerStates());
  const cache = createPipelineCache({
    config,
    providers,
    onWarning: (message) => telemetry.logger.warn({ component: "cache" }, message),
  });
  const safety = createPipelineSafety({
    config,
    events: telemetry.events,
    onWarning: (message) => telemetry.logger.warn({ component: "safety" }, message),
  });
  const middlewares = createMiddlewares({
    config,
    telemetry: telemetry.middleware(),
    caches: cache.middlewares,
    safety,
  });
  const findRoute = createRouteLookup(createRouteChains({ config, providers, resilience }));
  const findEmbedder = createEmbeddingLookup({ config, providers, resilience });
  // The middlewares, in order, around: the admitted route's fallback chain -> each target's policies -> provider.
  const model = wrapModel(createInnermostModel({ embedderFor: findEmbedder }), middlewares);

  const open = (operation: Operation, options: CallOptions | undefined, route?: Route) =>
    openRequestScope({
      operation,
      call: options,
      defaultTimeoutMs: route?.settings.timeoutMs ?? config.defaults.timeoutMs,
      events: noopEventSink,
      ...(route === undefined ? {} : { route }),
    });

  /**
   * Checks that need no upstream call come first, so a bad request costs nothing. The route
   * is resolved here, once; the request's context carries it down to the innermost model.
   */
  const admit = (request: ChatRequest, options: CallOptions | undefined): Route => {
    const route = findRoute(request.model);
    checkRequestLimits(config, request);
    checkCacheControl(config, request, options?.tenant);
    return route;
  };

  const runGenerate = async (request: ChatRequest, operation: Operation, options: CallOptions | undefined) => {
    const route = admit(request, options);
    const startedAt = Date.now();
    const scope = open(operation, options, route);
    try {
      const generation = await model.generate(request, scope.ctx);
      // A structured call's cost is the sum of its attempts': rounded so float noise never shows.
      return { ...generation, costUsd: roundUsd(generation.costUsd), latencyMs: Date.now() - startedAt };
    } catch (error) {
      throw normaliseFailure(error, scope);
    } finally {
      scope.dispose();
    }
  };

  return {
    config,
    generate: async (input, options) => runGenerate(parseChatRequest(input), "generate", options),
    structured: async (input, options) => runGenerate(parseStructuredRequest(input), "structured", options),
    stream(input, options) {
      let request: ChatRequest;
      let route: Route;
      try {
        request = parseChatRequest(input);
        route = admit(request, options);
      } catch (error) {
        return rejectedStream(error);
      }
      const scope = open("stream", options, route);
      return toPublicStream(() => model.stream(request, scope.ctx), scope, Date.now());
    },
    async embed(input, options) {
      const request = parseEmbeddingRequest(input);
      // Like a chat route: an unknown model is BAD_REQUEST before telemetry, the caches or any upstream call.
      findEmbedder(request.model);
      const scope = open("embed", options);
      try {
        return await model.embed(request, scope.ctx);
      } catch (error) {
        throw normaliseFailure(error, scope);
      } finally {
        scope.dispose();
      }
    },
    async readiness() {
      return readinessOf(config, resilience.breakerStates(), await cache.store.health());
    },
    review: createReviewApi(safety.review),
    usage: (query, scope) => telemetry.usage({ ...query, tenant: scope.tenant }),
    metricsSnapshot: (scope) => telemetry.snapshot("tenant" in scope ? { tenant: scope.tenant } : {}),
    metricsText: () => telemetry.metricsText(),
    async close() {
      resilience.close();
      await Promise.allSettled([telemetry.close(), cache.store.close(), safety.review.close()]);
    },
  };
}

async function* rejectedStream(error: unknown): AsyncGenerator<StreamEvent, void, undefined> {
  yield {
    type: "error",
    error: (KeelError.isInstance(error) ? error : new KeelError("INTERNAL", "internal error")).toJSON(),
  };
}
