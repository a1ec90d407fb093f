import type { CallOptions } from "@keel/core";
import type { KeelTrpcContext } from "../context.ts";

/**
 * What the pipeline learns about a call: tenant and request id from the context (never
 * from input), tRPC's signal, which aborts when the caller disconnects, and this
 * service's name for the log line (one pipeline may serve both services).
 */
export function callOptions(ctx: KeelTrpcContext, signal: AbortSignal | undefined): CallOptions {
  const options: CallOptions = { tenant: ctx.tenant, requestId: ctx.nextCallId(), service: "trpc" };
  return signal === undefined ? options : { ...options, signal };
}
