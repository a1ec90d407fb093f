import type { CallOptions, Pipeline, TrackStream } from "@keel/core";
import type { Principal } from "@keel/spec";

/**
 * What every resolver gets. Built by the HTTP handler (one per request) and by the
 * WebSocket server (one per operation) once the caller's key was verified; resolvers never
 * read transport details.
 */
export interface GraphqlContext {
  readonly pipeline: Pipeline;
  /**
   * Who calls: tenant, role and key id, from the API key alone (the Authorization header,
   * or the graphql-ws connection_init payload); never from a header or input the caller
   * chooses otherwise (docs/design.md).
   */
  readonly principal: Principal;
  /** Aborts when the caller goes away (HTTP socket closed, WebSocket closed). */
  readonly signal: AbortSignal;
  /**
   * A pipeline call's options: the principal, this service's name, a fresh request id, the
   * caller's signal, and (over HTTP) where the rate-limit headers for the response go.
   */
  callOptions(): CallOptions;
  /**
   * Registers a live stream so a graceful shutdown can end it with a final error;
   * returns the function to call when the stream ends.
   */
  readonly trackStream: TrackStream;
  /** True once shutdown began: new streams are refused. */
  readonly isShuttingDown: () => boolean;
}

/** Builds a resolver context for a verified caller: per HTTP request, per WebSocket operation. */
export type CreateContext = (source: {
  principal: Principal;
  /** Read only when a resolver asks for it: over HTTP it is made then (graphql-handler.ts). */
  readonly signal: AbortSignal;
  /**
   * Over HTTP: a signal for one pipeline call, ended when the caller goes away, which the
   * call takes as its request's own (core's createCallerSignal); one per call, so one root
   * field's deadline never ends another's. Without it, calls are given `signal`.
   */
  callerSignal?: () => AbortSignal;
  /** Over HTTP: receives the rate-limit headers for the response. */
  setResponseHeaders?: (headers: Readonly<Record<string, string>>) => void;
}) => GraphqlContext;

/** This service's name on the pipeline's log lines (`CallOptions.service`): one pipeline may serve both services. */
export const SERVICE_NAME = "graphql";
