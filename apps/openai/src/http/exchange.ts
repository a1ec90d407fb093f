import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallOptions, Pipeline, ServiceEdge, TrackStream } from "@keel/core";
import type { Caller } from "../edge/identify-caller.ts";

/** What every endpoint of the service shares. */
export interface ServiceParts {
  pipeline: Pipeline;
  /** Turns the caller's `Authorization` into its principal (core's shared edge). */
  edge: ServiceEdge;
  trackStream: TrackStream;
  maxBodyBytes: number;
  /** When the service started, in seconds: the `created` of /v1/models entries. */
  startedAt: number;
}

/** One HTTP request as an endpoint sees it. */
export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  /** Generated per request (never the caller's), sent back as `x-request-id` and `x-keel-request-id`. */
  requestId: string;
  caller: Caller;
  /** Aborts when the caller goes away before its answer was sent. */
  signal: AbortSignal;
}

/**
 * The pipeline's call options for an exchange: the principal (and so the tenant) from the
 * caller's key, never from input; the rate-limit headers the admission reports go on the
 * response while it has not been sent (a stream's are sent before its admission runs).
 */
export function callOptionsOf(exchange: Exchange): CallOptions {
  const { response } = exchange;
  return {
    principal: exchange.caller.principal,
    requestId: exchange.requestId,
    service: "openai",
    setResponseHeaders: (headers) => {
      if (response.headersSent) return;
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    },
  };
}
