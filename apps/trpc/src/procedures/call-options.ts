import type { CallOptions } from "@keel/core";
import type { KeelTrpcContext } from "../context.ts";

/**
 * What the pipeline learns about a call: tenant and request id from the context (never
 * from input), and tRPC's signal, which aborts when the caller disconnects.
 */
export function callOptions(ctx: KeelTrpcContext, signal: AbortSignal | undefined): CallOptions {
  const requestId = ctx.nextCallId();
  return signal === undefined ? { tenant: ctx.tenant, requestId } : { tenant: ctx.tenant, requestId, signal };
}
