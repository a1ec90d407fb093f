import type { Provider } from "@keel/providers";
import { createResilience, staticFallbackMiddleware } from "@keel/resilience";
import {
  KeelError,
  noopEventSink,
  type ChatRequest,
  type EmbeddingRequest,
  type EmbeddingResult,
  type Generation,
  type Middleware,
  type Model,
  type Operation,
  type StreamEvent,
} from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import { parseChatRequest, parseEmbeddingRequest } from "../request/parse-request.ts";
import { wrapModel, type FullModel } from "./compose.ts";
import { toPublicStream } from "./public-stream.ts";
import { normaliseFailure, openRequestScope, type CallOptions } from "./request-scope.ts";
import { checkRequestLimits, resolveRoute, splitTarget } from "./routes.ts";
import { createRouteModels } from "./route-models.ts";
import { createProviders } from "./targets.ts";

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface Pipeline {
  readonly config: KeelConfig;
  generate(request: ChatRequest, options?: CallOptions): Promise<Generation>;
  /** Never throws: deltas, then exactly one `done` or one `error`. */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<StreamEvent>;
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResult>;
  readiness(): Promise<Readiness>;
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Builds the pipeline DESIGN.md draws: the concern middlewares folded, in order, around
 * the route's targets. Every request is validated, bounded by one deadline, and leaves
 * as a Generation or a KeelError.
 */
export function createPipeline(config: KeelConfig): Pipeline {
  const providers = createProviders(config);
  const resilience = createResilience({ events: noopEventSink });
  const routeModels = createRouteModels(config, providers, resilience);
  const middlewares = createMiddlewares(config);
  const model = wrapModel(createTerminal(config, routeModels, providers), middlewares);

  const open = (operation: Operation, options: CallOptions | undefined, timeoutMs?: number) =>
    openRequestScope({ operation, call: options, defaultTimeoutMs: timeoutMs ?? config.defaults.timeoutMs, events: noopEventSink });

  return {
    config,
    async generate(input, options) {
      const request = parseChatRequest(input);
      const route = resolveRoute(config, request.model);
      checkRequestLimits(config, request);
      const startedAt = Date.now();
      const scope = open("generate", options, route.timeoutMs);
      try {
        const generation = await model.generate(request, scope.ctx);
        return { ...generation, latencyMs: Date.now() - startedAt };
      } catch (error) {
        throw normaliseFailure(error, scope);
      } finally {
        scope.dispose();
      }
    },
    stream(input, options) {
      let request: ChatRequest;
      let timeoutMs: number | undefined;
      try {
        request = parseChatRequest(input);
        timeoutMs = resolveRoute(config, request.model).timeoutMs;
        checkRequestLimits(config, request);
      } catch (error) {
        return rejectedStream(error as KeelError);
      }
      const scope = open("stream", options, timeoutMs);
      return toPublicStream(() => model.stream(request, scope.ctx), scope, Date.now());
    },
    async embed(input, options) {
      const request = parseEmbeddingRequest(input);
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
      return readinessOf(config, resilience.breakerStates());
    },
    async metricsText() {
      return "";
    },
    async close() {
      resilience.close();
    },
  };
}

/** The concern middlewares in DESIGN.md's order, first = outermost. */
function createMiddlewares(config: KeelConfig): Middleware[] {
  const middlewares: Middleware[] = [];
  const staticAnswers = Object.fromEntries(
    Object.entries(config.models).flatMap(([route, settings]) => (settings.staticFallback === undefined ? [] : [[route, settings.staticFallback]])),
  );
  if (Object.keys(staticAnswers).length > 0) middlewares.push(staticFallbackMiddleware({ answers: staticAnswers }));
  return middlewares;
}

/** Not ready when some route has every target's breaker open: it can only fail fast. */
function readinessOf(config: KeelConfig, breakers: Record<string, string>): Readiness {
  const checks: Readiness["checks"] = {};
  let ready = true;
  for (const [route, settings] of Object.entries(config.models)) {
    const open = settings.targets.filter((target) => breakers[target] === "open");
    const ok = open.length < settings.targets.length;
    if (!ok) ready = false;
    checks[`route:${route}`] = { ok, ...(open.length > 0 ? { detail: `open circuits: ${open.join(", ")}` } : {}) };
  }
  return { ready, checks };
}

function createTerminal(config: KeelConfig, routeModels: Map<string, Model>, providers: Map<string, Provider>): FullModel {
  const routeModel = (name: string): Model => {
    const found = routeModels.get(name);
    if (!found) resolveRoute(config, name); // throws the typed unknown-model error
    return found as Model;
  };
  return {
    generate: (request, ctx) => routeModel(request.model).generate(request, ctx),
    stream: (request, ctx) => routeModel(request.model).stream(request, ctx),
    embed: (request, ctx) => {
      const target = config.embeddingModels[request.model];
      if (!target) {
        throw new KeelError("BAD_REQUEST", `unknown embedding model "${request.model}"; this deployment serves: ${Object.keys(config.embeddingModels).join(", ") || "(none)"}`, {
          details: { field: "model", reason: "unknown-model" },
        });
      }
      const { provider, model } = splitTarget(target);
      return (providers.get(provider) as Provider).embed({ ...request, model }, ctx);
    },
  };
}

async function* rejectedStream(error: unknown): AsyncGenerator<StreamEvent, void, undefined> {
  yield { type: "error", error: (KeelError.isInstance(error) ? error : new KeelError("INTERNAL", "internal error")).toJSON() };
}
