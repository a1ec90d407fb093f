import type { CallOptions, ServiceEdge } from "@keel/core";
import type { Principal } from "@keel/spec";
import type { KeelTrpcContext } from "../context.ts";

/**
 * What the pipeline learns about a call: the principal (and so the tenant) from the key,
 * the request id from the context (never from input), tRPC's signal, which aborts when
 * the caller disconnects, this service's name for the log line, and where the rate-limit
 * headers for the response go.
 */
export function callOptions(
  edge: ServiceEdge,
  ctx: KeelTrpcContext & { principal: Principal },
  signal: AbortSignal | undefined,
): CallOptions {
  return edge.callOptions(ctx.principal, {
    requestId: ctx.nextCallId(),
    setResponseHeaders: (headers) => Object.assign(ctx.responseHeaders, headers),
    ...(signal === undefined ? {} : { signal }),
  });
}
