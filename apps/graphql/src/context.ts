import type { Pipeline, TrackStream } from "@keel/core";

/**
 * What every resolver gets. Built by the HTTP handler (one per request) and by the
 * WebSocket server (one per operation); resolvers never read transport details.
 */
export interface GraphqlContext {
  readonly pipeline: Pipeline;
  /** Always DEFAULT_TENANT until API keys arrive (docs/design.md): never taken from a header or input. */
  readonly tenant: string;
  /** Aborts when the caller goes away (HTTP socket closed, WebSocket closed). */
  readonly signal: AbortSignal;
  /**
   * Registers a live stream so a graceful shutdown can end it with a final error;
   * returns the function to call when the stream ends.
   */
  readonly trackStream: TrackStream;
  /** True once shutdown began: new streams are refused. */
  readonly isShuttingDown: () => boolean;
}

/** This service's name on the pipeline's log lines (`CallOptions.service`): one pipeline may serve both services. */
export const SERVICE_NAME = "graphql";
