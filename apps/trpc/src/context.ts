import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TrackStream } from "@keel/core";
import { DEFAULT_TENANT } from "@keel/spec";

/** What every procedure sees. Built per HTTP request by the service, never from caller input. */
export interface KeelTrpcContext {
  /** Always DEFAULT_TENANT until API keys arrive: never taken from a header or the input (docs/design.md). */
  tenant: string;
  /** Generated per HTTP request; callers cannot choose it. Echoed as `x-request-id`. */
  requestId: string;
  /**
   * The id of one procedure call: the HTTP request's id for the first call, and
   * "<id>.1", "<id>.2", ... for the further calls of a batch, so logs never merge them.
   */
  nextCallId(): string;
  trackStream: TrackStream;
}

/**
 * The adapter's createContext: a fresh request id per HTTP request, sent back in the
 * `x-request-id` header before tRPC writes its response (a batch shares one id).
 */
export function createContextFactory(trackStream: TrackStream) {
  // `req`/`res` are the names tRPC's node adapter gives them.
  return function createContext({ res: response }: { req: IncomingMessage; res: ServerResponse }): KeelTrpcContext {
    const requestId = randomUUID();
    if (!response.headersSent) response.setHeader("x-request-id", requestId);
    let calls = 0;
    const nextCallId = () => (calls++ === 0 ? requestId : `${requestId}.${calls - 1}`);
    return { tenant: DEFAULT_TENANT, requestId, nextCallId, trackStream };
  };
}
