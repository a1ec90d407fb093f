import type { ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { createServiceEdge, startServiceHost, type Pipeline, type ServiceHost } from "@keel/core";
import { HTTP_STATUS_BY_CODE, KeelError } from "@keel/spec";
import { createContextFactory } from "./context.ts";
import { createDirectMutationHandler } from "./direct-mutation.ts";
import { TRPC_CODE_BY_KEEL_CODE } from "./error-codes.ts";
import { formatError } from "./error-formatter.ts";
import { createAppRouter } from "./router.ts";
import { createStreamOverSse } from "./sse/stream-over-sse.ts";
import { createSubscriptionGuard } from "./subscription-guard.ts";
import { SSE_PING_INTERVAL_MS } from "./trpc.ts";

export interface TrpcServiceOptions {
  pipeline: Pipeline;
  host: string;
  /** 0 = a free port. */
  port: number;
  /** Defaults to the pipeline config's `services.shutdownGraceMs`. */
  shutdownGraceMs?: number;
  /** Larger bodies get 413 (keelCode BAD_REQUEST). Defaults to `services.maxBodyBytes`. */
  maxBodyBytes?: number;
  /** Several calls per HTTP request; default `services.trpc.allowBatching`. */
  allowBatching?: boolean;
  /** Most calls in one batch (larger: BAD_REQUEST); default `services.trpc.maxBatchSize`. */
  maxBatchSize?: number;
  /** The dashboard's built files (`@keel/dashboard`'s dist), served at `/dashboard`; none by default. */
  dashboardDirectory?: string;
  /**
   * ai.stream's plain GETs written straight to the socket (src/sse/); default true. False
   * leaves every stream to tRPC's own SSE producer: the reference the tests compare with.
   */
  directStreams?: boolean;
}

const BASE_PATH = "/trpc/";

/**
 * Serves the router under `/trpc` on core's service host, which also answers /healthz,
 * /readyz and /metrics (and the dashboard at /dashboard when given its folder) and drains
 * gracefully on `shutdown()`.
 */
export async function startTrpcService(options: TrpcServiceOptions): Promise<ServiceHost> {
  const { pipeline } = options;
  const services = pipeline.config.services;
  return startServiceHost({
    name: "trpc",
    pipeline,
    host: options.host,
    port: options.port,
    shutdownGraceMs: options.shutdownGraceMs ?? services.shutdownGraceMs,
    ...(options.dashboardDirectory === undefined
      ? {}
      : { staticSites: [{ path: "/dashboard", directory: options.dashboardDirectory }] }),
    // Errors the host answers itself (503 while draining) in tRPC's error shape, so clients read data.keelCode.
    errorBody: trpcErrorBody,
    serve: (serviceHost) => {
      const edge = createServiceEdge(pipeline, { service: "trpc" });
      const router = createAppRouter(pipeline, edge);
      const maxBodyBytes = options.maxBodyBytes ?? services.maxBodyBytes;
      const createContext = createContextFactory({ edge, trackStream: serviceHost.trackStream });
      const trpcHandler = createHTTPHandler({
        router,
        basePath: BASE_PATH,
        maxBodySize: maxBodyBytes,
        // One HTTP request must not start an unbounded number of upstream calls.
        allowBatching: options.allowBatching ?? services.trpc.allowBatching,
        maxBatchSize: options.maxBatchSize ?? services.trpc.maxBatchSize,
        createContext,
        // The admission's x-ratelimit-* (and retry-after on a refusal), as OpenAI's API sends them.
        responseMeta: ({ ctx }) => ({ headers: ctx?.responseHeaders ?? {} }),
      });
      const subscriptionGuard = createSubscriptionGuard(router, BASE_PATH);
      // Unbatched JSON mutations skip the adapter's web Request/Response; the rest goes to tRPC.
      const handleDirectly = createDirectMutationHandler({ router, basePath: BASE_PATH, maxBodyBytes, createContext });
      // ai.stream's plain GETs, past the same guard, skip tRPC's generic SSE machinery; the rest goes to tRPC.
      const streamOverSse =
        options.directStreams === false
          ? undefined
          : createStreamOverSse({ router, basePath: BASE_PATH, createContext, pingIntervalMs: SSE_PING_INTERVAL_MS });
      return {
        handler: (request, response) => {
          if (!request.url?.startsWith(BASE_PATH)) return notFound(response, request.url ?? "");
          if (handleDirectly(request, response)) return;
          const refused = subscriptionGuard(request);
          if (refused !== undefined) return sendError(response, refused);
          if (streamOverSse?.handle(request, response)) return;
          trpcHandler(request, response);
        },
        close: async () => streamOverSse?.close(),
      };
    },
  });
}

function trpcErrorBody(error: KeelError) {
  return {
    error: formatError({
      error: new TRPCError({ code: TRPC_CODE_BY_KEEL_CODE[error.code], message: error.message, cause: error }),
      path: undefined,
    }),
  };
}

/** A refusal before tRPC runs, in tRPC's error shape so clients read data.keelCode. */
function sendError(response: ServerResponse, error: KeelError): void {
  const text = JSON.stringify(trpcErrorBody(error));
  response.writeHead(HTTP_STATUS_BY_CODE[error.code], {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

function notFound(response: ServerResponse, url: string): void {
  const error = new KeelError(
    "BAD_REQUEST",
    `no such endpoint: ${url.split("?", 1)[0]}; procedures are served under ${BASE_PATH}`,
    {
      details: { reason: "not-found" },
    },
  );
  const text = JSON.stringify({ error: error.toJSON() });
  response.writeHead(404, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
