import type { DirectStreamCall } from "./direct-stream.ts";
import type { KeelError, RequestContext } from "@keel/spec";
import type OpenAI from "openai";
import type { PriceTable } from "./prices.ts";
import { abortedError, upstreamError } from "./upstream-error.ts";

/** What every call of one provider shares: one client (one connection pool), its name, its prices. */
export interface ProviderState {
  name: string;
  client: OpenAI;
  prices: PriceTable;
  /** The client runs on Keel's own fetch, which takes a call's signal directly (call-signal.ts). */
  ownFetch: boolean;
  /** Streams without the SDK's request machinery and web streams (Keel's own fetch only); else the SDK streams. */
  directStream?: DirectStreamCall | undefined;
}

export function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

/** A call to the upstream that failed: its request's context, its target, when it started, and what went wrong. */
export interface FailedCall {
  ctx: RequestContext;
  target: string;
  started: number;
  error: unknown;
}

/**
 * The KeelError for a failed call, with its `upstream-error` event emitted. When the
 * caller's signal fired, the failure is the abort, whatever shape the SDK gave it.
 */
export function failedCall({ ctx, target, started, error }: FailedCall): KeelError {
  const keelError = ctx.signal.aborted ? abortedError(target, error) : upstreamError(error, target);
  ctx.events.emit({
    type: "upstream-error",
    target,
    durationMs: elapsedSince(started),
    code: keelError.code,
    ...(keelError.status === undefined ? {} : { status: keelError.status }),
  });
  return keelError;
}
