import type { KeelError, RequestContext } from "@keel/spec";
import type OpenAI from "openai";
import type { PriceTable } from "./prices.ts";
import { abortedError, upstreamError } from "./upstream-error.ts";

/** What every call of one provider shares: one client (one connection pool), its name, its prices. */
export interface ProviderState {
  name: string;
  client: OpenAI;
  prices: PriceTable;
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

/** A per-call signal that follows the request's, and `release` to unhook it afterwards. */
export interface CallSignal {
  signal: AbortSignal;
  release(): void;
}

/**
 * The SDK adds an abort listener to the signal it is given and never removes it. Handed
 * ctx.signal directly, every call of a request (retries, fallbacks, re-asks) would pile
 * one more listener onto it (Node warns past 10), and a long-lived signal would leak
 * one per call. So each call gets its own signal, unhooked from ctx.signal when done.
 */
export function callSignal(parent: AbortSignal): CallSignal {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const follow = () => controller.abort(parent.reason);
  parent.addEventListener("abort", follow, { once: true });
  return { signal: controller.signal, release: () => parent.removeEventListener("abort", follow) };
}
