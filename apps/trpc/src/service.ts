import type { ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { startServiceHost, type Pipeline, type ServiceHost } from "@keel/core";
import { KeelError } from "@keel/spec";
import { createContextFactory } from "./context.ts";
import { TRPC_CODE_BY_KEEL_CODE } from "./error-codes.ts";
import { formatError } from "./error-formatter.ts";
import { createAppRouter } from "./router.ts";
import { createStreamOverSse } from "./sse/stream-over-sse.ts";
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
}

const BASE_PATH = "/trpc/";

/**
 * Serves the router under `/trpc` on core's service host, which also answers /healthz,
 * /readyz and /metrics and drains gracefully on `shutdown()`.
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
    // Errors the host answers itself (503 while draining) in tRPC's error shape, so clients read data.keelCode.
    errorBody: (error) => ({
      error: formatError({
        error: new TRPCError({ code: TRPC_CODE_BY_KEEL_CODE[error.code], message: error.message, cause: error }),
        path: undefined,
      }),
    }),
    serve: (serviceHost) => {
      const trpcHandler = createHTTPHandler({
        router: createAppRouter(pipeline),
        basePath: BASE_PATH,
        maxBodySize: options.maxBodyBytes ?? services.maxBodyBytes,
        createContext: createContextFactory(serviceHost.trackStream),
      });
      // ai.stream's plain GETs skip tRPC's generic SSE machinery (same wire format); the rest go to tRPC.
      const streamOverSse = createStreamOverSse({
        pipeline,
        trackStream: serviceHost.trackStream,
        pingIntervalMs: SSE_PING_INTERVAL_MS,
      });
      return {
        handler: (request, response) => {
          if (streamOverSse.handle(request, response)) return;
          if (request.url?.startsWith(BASE_PATH)) return trpcHandler(request, response);
          notFound(response, request.url ?? "");
        },
        close: async () => streamOverSse.close(),
      };
    },
  });
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
