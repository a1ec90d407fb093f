import { createServiceEdge, startServiceHost, type Pipeline, type ServiceHost } from "@keel/core";
import { toOpenaiError } from "./http/openai-error.ts";
import { createRoutes } from "./routes.ts";

export interface OpenaiServiceOptions {
  pipeline: Pipeline;
  /** Address to bind; default the config's services.host (127.0.0.1). */
  host?: string;
  /** 0 = a free port; default the config's services.openaiPort (8080). */
  port?: number;
  /** How long shutdown lets in-flight requests and streams finish; default the config's. */
  shutdownGraceMs?: number;
  /** Larger bodies get 413 (code BAD_REQUEST); default the config's services.maxBodyBytes. */
  maxBodyBytes?: number;
}

/**
 * Serves OpenAI's REST API under `/v1` (chat completions, plain and streamed, embeddings,
 * models) on core's service host, which also answers /healthz, /readyz and /metrics and
 * drains gracefully on `shutdown()`: a stream that outlives the grace ends with an error
 * event, never `[DONE]`.
 */
export async function startOpenaiService(options: OpenaiServiceOptions): Promise<ServiceHost> {
  const { pipeline } = options;
  const settings = pipeline.config.services;
  return startServiceHost({
    name: "openai",
    pipeline,
    host: options.host ?? settings.host,
    port: options.port ?? settings.openaiPort,
    shutdownGraceMs: options.shutdownGraceMs ?? settings.shutdownGraceMs,
    // Errors the host answers itself (503 while draining) in OpenAI's shape too.
    errorBody: (error) => toOpenaiError(error).body,
    serve: (serviceHost) => ({
      handler: createRoutes({
        pipeline,
        edge: createServiceEdge(pipeline, { service: "openai" }),
        trackStream: serviceHost.trackStream,
        maxBodyBytes: options.maxBodyBytes ?? settings.maxBodyBytes,
        startedAt: Math.floor(Date.now() / 1000),
      }),
    }),
  });
}
