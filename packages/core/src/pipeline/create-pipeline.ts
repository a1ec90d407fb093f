import { createContextWindowTable, createPriceTable } from "@keel/providers";
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
import { createBatchOperation } from "../batch/batch-operation.ts";
import type { BatchRequestInput, BatchResult, BatchStreamEvent } from "../batch/batch-types.ts";
import type { KeelConfig } from "../config/schema.ts";
import { createDeferredBatcher } from "../deferred/deferred-batcher.ts";
import { createPipelineJobs, type PipelineJobs } from "../jobs/pipeline-jobs.ts";
import { createRedisClients } from "../redis/redis-clients.ts";
import { parseClassifyRequest, type ClassifyRequestInput, type ClassifyResult } from "../classify/classify-request.ts";
import { runClassify } from "../classify/run-classify.ts";
import { createGovernanceParts } from "../governance/governance-parts.ts";
import { governanceMiddleware } from "../governance/governance-middleware.ts";
import { createPipelineGovernance, type PipelineGovernance } from "../governance/pipeline-governance.ts";
import { createRoutePlans } from "../governance/route-plans.ts";
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
import { normaliseFailure, openRequestScope, type CallOptions, tenantOf } from "./request-scope.ts";
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
   * Up to `jobs.batch.maxItems` generate or structured items, each through the whole pipeline,
   * at most `concurrency` at once (and `jobs.batch.tenantConcurrency` per tenant): every item in
   * input order with its own envelope or its own typed error, and the totals. Only a refusal of
   * the batch as a whole (bad shape, too many items) throws.
   */
  batch(input: BatchRequestInput, options?: CallOptions): Promise<BatchResult>;
  /** The batch, reported item by item as each finishes, then `done` with the totals. Never throws. */
  batchStream(input: BatchRequestInput, options?: CallOptions): AsyncIterable<BatchStreamEvent>;
  /** Background jobs on the configured queue (opened on first use). */
  readonly jobs: PipelineJobs;
  /**
   * Labels for texts from label examples (or a configured label set), by embeddings:
   * the price of one embeddings call, not a chat call.
   */
  classify(request: ClassifyRequestInput, options?: CallOptions): Promise<ClassifyResult>;
  /** API keys, the auth mode and budget status, for the services' edge and operators. */
  readonly governance: PipelineGovernance;
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
  /**
   * Pays now the one-off costs a first request would otherwise pay (each safety detector's
   * first run, the semantic index's hyperplanes): the service host calls it before it
   * listens. Sends nothing upstream and stores nothing. Reports what it warmed.
   */
  warmUp(): WarmUpReport;
  /** Flushes the usage ledger and stops timers; in-flight calls should be drained first. */
  close(): Promise<void>;
}

/** What `Pipeline.warmUp` did: how many safety detectors ran once, whether the semantic index readied its codes. */
export interface WarmUpReport {
  safetyDetectors: number;
  semanticIndex: boolean;
}

export type PipelineOptions = TelemetryOverrides;

/**
 * Builds the pipeline docs/design.md draws: the concern middlewares folded, in order, around
 * the route's fallback chain. Every request is validated, bounded by one deadline, and
 * leaves as a Generation or a KeelError.
 */
export function createPipeline(config: KeelConfig, options: PipelineOptions = {}): Pipeline {
  const providers = createProviderRegistry(config);
  // One pair of connections (a Redis or a Cluster) for every store in this process.
  const redis = config.redis
    ? createRedisClients({ url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs })
    : undefined;
  const telemetry = createPipelineTelemetry(config, { ...options, redis });
  const resilience = createResilience({ events: telemetry.events });
  telemetry.setBreakerStates(() => resilience.breakerStates());
  const cache = createPipelineCache({
    config,
    providers,
    redis,
    onWarning: (message) => telemetry.logger.warn({ component: "cache" }, message),
  });
  const safety = createPipelineSafety({
    config,
    events: telemetry.events,
    redis,
    onWarning: (message) => telemetry.logger.warn({ component: "safety" }, message),
  });
  const governanceParts = createGovernanceParts({ config, events: telemetry.events });
  const plans = createRoutePlans({
    config,
    prices: createPriceTable(config.prices),
    contextWindows: createContextWindowTable(config.contextWindows),
  });
  const middlewares = createMiddlewares({
    config,
    telemetry: telemetry.middleware(),
    governance: governanceMiddleware({ config, parts: governanceParts, plans }),
    caches: cache.middlewares,
    safety,
  });
  const chains = createRouteChains({ config, providers, resilience });
  const findRoute = createRouteLookup(chains.routes);
  const findEmbedder = createEmbeddingLookup({ config, providers, resilience });
  // The middlewares, in order, around: the admitted (or selected) route's fallback chain -> each target's policies -> provider.
  const deferred = createDeferredBatcher({ config, providers });
  const model = wrapModel(createInnermostModel({ embedderFor: findEmbedder, chains, deferred }), middlewares);

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
    checkCacheControl(config, request, tenantOf(options));
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

  const generate = async (input: ChatRequest, options?: CallOptions) =>
    runGenerate(parseChatRequest(input), "generate", options);
  const structured = async (input: StructuredRequestInput | ParsedStructuredRequest, options?: CallOptions) =>
    runGenerate(parseStructuredRequest(input), "structured", options);
  const batches = createBatchOperation({ config, generate, structured });
  const jobs = createPipelineJobs({
    config,
    operations: { generate, structured, batchStream: batches.batchStream },
    // The job's own call is admitted again, with its tenant, when a worker runs it.
    admit: (request) => {
      admit(request, undefined);
    },
    events: telemetry.events,
    warn: (message) => telemetry.logger.warn({ component: "jobs" }, message),
  });

  return {
    config,
    generate,
    structured,
    batch: batches.batch,
    batchStream: batches.batchStream,
    jobs,
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
    async classify(input, options) {
      const request = parseClassifyRequest(input);
      const scope = open("classify", options);
      try {
        return await runClassify({ request, ctx: scope.ctx, model, config, plans });
      } catch (error) {
        throw normaliseFailure(error, scope);
      } finally {
        scope.dispose();
      }
    },
    governance: createPipelineGovernance({ config, parts: governanceParts, logger: telemetry.logger }),
    async readiness() {
      return readinessOf(config, resilience.breakerStates(), await cache.store.health());
    },
    review: createReviewApi(safety.review),
    usage: (query, scope) => telemetry.usage({ ...query, tenant: scope.tenant }),
    metricsSnapshot: (scope) => telemetry.snapshot("tenant" in scope ? { tenant: scope.tenant } : {}),
    metricsText: () => telemetry.metricsText(),
    warmUp: () => ({ safetyDetectors: safety.warmUp(), semanticIndex: cache.warmUp() }),
    async close() {
      await jobs.close();
      deferred.close();
      resilience.close();
      await Promise.allSettled([
        telemetry.close(),
        cache.store.close(),
        safety.review.close(),
        governanceParts.close(),
      ]);
      // Last: the stores above flushed through these connections.
      await redis?.close();
    },
  };
}

async function* rejectedStream(error: unknown): AsyncGenerator<StreamEvent, void, undefined> {
  yield {
    type: "error",
    error: (KeelError.isInstance(error) ? error : new KeelError("INTERNAL", "internal error")).toJSON(),
  };
}
