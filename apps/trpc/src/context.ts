import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceEdge, TrackStream } from "@keel/core";
import type { Principal } from "@keel/spec";

/** What every procedure sees. Built per HTTP request by the service, never from caller input. */
export interface KeelTrpcContext {
  /**
   * The caller's principal (tenant, role, key id) from its API key: the `Authorization`
   * header, or a subscription's connection params. Checked once per HTTP request, on the
   * first call that needs it; every bad key is the same UNAUTHENTICATED. The tenant of a
   * request comes from here alone, never from a header or the input (docs/design.md).
   */
  authenticate(): Promise<Principal>;
  /** Generated per HTTP request; callers cannot choose it. Echoed as `x-request-id`. */
  requestId: string;
  /**
   * The id of one procedure call: the HTTP request's id for the first call, and
   * "<id>.1", "<id>.2", ... for the further calls of a batch, so logs never merge them.
   */
  nextCallId(): string;
  trackStream: TrackStream;
  /** Headers the pipeline reports for the response (x-ratelimit-*, retry-after); sent by responseMeta. */
  responseHeaders: Record<string, string>;
}

/** What tRPC's standalone adapter hands createContext (`req`/`res` are its names). */
interface ContextSource {
  req: IncomingMessage;
  res: ServerResponse;
  info: { connectionParams: Record<string, string | undefined> | null };
}

/**
 * The adapter's createContext: a fresh request id per HTTP request, sent back in the
 * `x-request-id` header before tRPC writes its response (a batch shares one id), and the
 * caller's credential, verified lazily (once) by the procedures that need it.
 */
export function createContextFactory(options: { edge: ServiceEdge; trackStream: TrackStream }) {
  const { edge, trackStream } = options;
  return function createContext({ req: request, res: response, info }: ContextSource): KeelTrpcContext {
    const requestId = randomUUID();
    if (!response.headersSent) response.setHeader("x-request-id", requestId);
    let calls = 0;
    const nextCallId = () => (calls++ === 0 ? requestId : `${requestId}.${calls - 1}`);
    // An SSE subscription cannot set headers from a browser: its key may come in the connection params.
    const credential = request.headers.authorization ?? info.connectionParams ?? undefined;
    let principal: Promise<Principal> | undefined;
    return {
      authenticate: () => {
        principal ??= edge.authenticate(credential);
        return principal;
      },
      requestId,
      nextCallId,
      trackStream,
      responseHeaders: {},
    };
  };
}
