import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallOptions, Pipeline, TrackStream } from "@keel/core";
import type { Caller } from "../edge/identify-caller.ts";

/** What every endpoint of the service shares. */
export interface ServiceParts {
  pipeline: Pipeline;
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

/** The pipeline's call options for an exchange: the tenant from the caller, never from input. */
export function callOptionsOf(exchange: Exchange): CallOptions {
  return { tenant: exchange.caller.tenant, requestId: exchange.requestId, service: "openai" };
}
