import type { IncomingMessage, ServerResponse } from "node:http";
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  type AnyTRPCRouter,
} from "@trpc/server";
import type { KeelTrpcContext } from "../context.ts";
import { createSsePinger, relaySse } from "@keel/core";

/** The subscription this serves; its events are plain values (no `tracked()` ids), so frames carry no `id:`. */
const STREAM_PROCEDURE = "ai.stream";

/** tRPC's `sseHeaders`, plus the `vary` every tRPC answer carries. */
const SSE_HEADERS = {
  vary: "trpc-accept, accept",
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};
/** tRPC's frames: `event:` and `data:` lines, then its blank lines (@trpc/server's sseStreamProducer). */
const CONNECTED_FRAME = "event: connected\ndata: {}\n\n\n";
const RETURN_FRAME = "event: return\ndata: \n\n\n";
const PING_FRAME = "event: ping\ndata: \n\n\n";

type ConnectionParams = Record<string, string> | null;

export interface StreamOverSseOptions {
  router: AnyTRPCRouter;
  /** The service's path prefix, with both slashes: "/trpc/". */
  basePath: string;
  /** The service's context factory: the caller's key (header or connection params) is verified through it. */
  createContext: (options: {
    req: IncomingMessage;
    res: ServerResponse;
    info: { connectionParams: ConnectionParams };
  }) => KeelTrpcContext;
  /** tRPC's ping interval (trpc.ts): a stream silent this long gets a ping frame. */
  pingIntervalMs: number;
}

/**
 * `ai.stream` over SSE written straight to the socket. The call is tRPC's own: the same
 * procedure through `callTRPCProcedure` (the key checked by `authenticatedProcedure` through
 * the service edge, core's chat schema, the endable stream with the caller's principal),
 * with the input and connection params read as tRPC's adapter reads them; errors before the
 * stream are the router's error shape in a `serialized-error` frame, as tRPC sends them. What
 * it skips is tRPC's generic SSE machinery: a web Request per stream, web streams, async
 * generator delegation and a ping timer re-armed per event, about a quarter of a stream's
 * CPU (bench/README.md). It takes a GET of `ai.stream` whose query has only `input` and
 * `connectionParams` (what httpSubscriptionLink sends), after the service's subscription
 * guard; anything else (a `lastEventId`, a batch, `trpc-accept`, a content type, other
 * parameters, connection params tRPC would refuse) returns false untouched, for tRPC.
 */
export function createStreamOverSse(options: StreamOverSseOptions) {
  const { router, basePath, createContext } = options;
  const config = router._def._config;
  const pinger = createSsePinger({ intervalMs: options.pingIntervalMs, frame: PING_FRAME });
  const prefix = `${basePath}${STREAM_PROCEDURE}`;

  return {
    /** Serves the request and returns true, or returns false having touched nothing. */
    handle(request: IncomingMessage, response: ServerResponse): boolean {
      const query = plainStreamQuery(request, prefix);
      if (query === undefined) return false;
      void serve({ request, response, query });
      return true;
    },
    close: () => pinger.close(),
  };

  async function serve(call: { request: IncomingMessage; response: ServerResponse; query: StreamQuery }) {
    const { request, response, query } = call;
    // The procedure's signal, aborted when the caller goes before the stream ended (tRPC's request signal).
    const controller = new AbortController();
    response.once("close", () => {
      if (!response.writableEnded) controller.abort();
    });
    let ctx: KeelTrpcContext | undefined;
    let input: unknown;
    let events: AsyncIterator<unknown> | undefined;
    let failure: TRPCError | undefined;
    try {
      ctx = createContext({ req: request, res: response, info: { connectionParams: query.connectionParams } });
      const data = await callTRPCProcedure({
        router,
        path: STREAM_PROCEDURE,
        getRawInput: async () => {
          input ??= readInput(query.input, config.transformer.input.deserialize);
          return input;
        },
        ctx,
        type: "subscription",
        signal: controller.signal,
        batchIndex: 0,
      });
      if (!isAsyncIterable(data)) {
        throw new TRPCError({
          code: "INTERNAL_SERVER_ERROR",
          message: `Subscription ${STREAM_PROCEDURE} did not return an observable or a AsyncGenerator`,
        });
      }
      events = data[Symbol.asyncIterator]();
    } catch (cause) {
      failure = getTRPCErrorFromUnknown(cause);
    }
    if (response.destroyed) {
      await events?.return?.();
      return;
    }
    // tRPC writes its head once the call resolved: the request id (set by createContext) and responseMeta's headers.
    response.writeHead(200, { ...ctx?.responseHeaders, ...SSE_HEADERS });
    response.write(CONNECTED_FRAME);
    const errorFrame = (error: TRPCError) => {
      const shape = getTRPCErrorShape({ config, ctx, error, input, path: STREAM_PROCEDURE, type: "subscription" });
      return `event: serialized-error\ndata: ${JSON.stringify(shape)}\n\n\n`;
    };
    if (events === undefined) {
      response.end(errorFrame(failure ?? new TRPCError({ code: "INTERNAL_SERVER_ERROR" })));
      return;
    }
    const live = pinger.add(response);
    try {
      // core's SSE relay, as the OpenAI-compatible service's: only the framing is tRPC's.
      const end = await relaySse({ events, response, frame: dataFrame, touch: live.touch, last: isFinalEvent });
      // The endable stream ends with one `done` or `error` event (or nothing, when the subscriber
      // left), then tRPC's `return` frame ends the answer; an iterator that throws ends it with a
      // `serialized-error` frame instead, as tRPC's producer does.
      if (end.kind === "ended") response.end(RETURN_FRAME);
      else if (end.kind === "thrown" && !response.destroyed)
        response.end(errorFrame(getTRPCErrorFromUnknown(end.error)));
    } finally {
      live.remove();
    }
  }
}

interface StreamQuery {
  /** The raw `input` parameter, or null without one. */
  input: string | null;
  connectionParams: ConnectionParams;
}

/** The query of a plain `GET /trpc/ai.stream?input=...[&connectionParams=...]`, or undefined for anything tRPC should see. */
function plainStreamQuery(request: IncomingMessage, prefix: string): StreamQuery | undefined {
  const url = request.url;
  if (request.method !== "GET" || url === undefined || !url.startsWith(prefix)) return undefined;
  if (url.length > prefix.length && url[prefix.length] !== "?") return undefined;
  const { headers } = request;
  // tRPC answers these differently (jsonl streaming, resumption, per-content-type parsing).
  if (headers["trpc-accept"] !== undefined || headers["last-event-id"] !== undefined) return undefined;
  if (headers["content-type"] !== undefined || (headers.accept ?? "").includes("application/jsonl")) return undefined;
  const params = new URLSearchParams(url.slice(prefix.length + 1));
  let count = 0;
  for (const key of params.keys()) {
    if (key !== "input" && key !== "connectionParams") return undefined;
    count += 1;
  }
  if (count > (params.has("input") ? 1 : 0) + (params.has("connectionParams") ? 1 : 0)) return undefined;
  const connectionParams = readConnectionParams(params.get("connectionParams"));
  if (connectionParams === false) return undefined;
  return { input: params.get("input"), connectionParams };
}

/** Connection params as tRPC accepts them (a JSON object of strings, or null); false when tRPC would refuse them. */
function readConnectionParams(text: string | null): ConnectionParams | false {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (parsed === null) return null;
  if (typeof parsed !== "object" || Array.isArray(parsed)) return false;
  for (const value of Object.values(parsed)) if (typeof value !== "string") return false;
  return parsed as Record<string, string>;
}

/** A GET's input as tRPC's JSON handler reads it: no or an empty `input` is no input; bad JSON is BAD_REQUEST. */
function readInput(text: string | null, deserialize: (value: unknown) => unknown): unknown {
  if (!text) return undefined;
  try {
    return deserialize(JSON.parse(text));
  } catch (cause) {
    if (cause instanceof TRPCError) throw cause;
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: cause instanceof Error ? cause.message : "Invalid input",
      cause,
    });
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** The endable stream's `done` or `error`: after it comes tRPC's `return` frame and the answer's end. */
function isFinalEvent(event: unknown): boolean {
  return typeof event !== "object" || event === null || (event as { type?: unknown }).type !== "delta";
}

/** One event as tRPC's producer frames it (no `id:`: the events are not `tracked()`). */
function dataFrame(event: unknown): string {
  return `data: ${JSON.stringify(event)}\n\n\n`;
}
