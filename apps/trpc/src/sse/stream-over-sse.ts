import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { callerInputs, createEndableStream, type Pipeline, type TrackStream } from "@keel/core";
import { DEFAULT_TENANT, type StreamEvent } from "@keel/spec";
import { createSsePinger } from "./sse-pinger.ts";

/** The path of the procedure this serves; anything else (and any odd request to it) stays with tRPC. */
const STREAM_PATH = "/trpc/ai.stream";

/** What tRPC's own SSE answer sends (its `sseHeaders`), plus the request id every answer carries. */
const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  vary: "trpc-accept, accept",
  "x-accel-buffering": "no",
};
/** tRPC's frames: `event:` and `data:` lines, then its blank lines (see @trpc/server's sseStreamProducer). */
const CONNECTED_FRAME = "event: connected\ndata: {}\n\n\n";
const RETURN_FRAME = "event: return\ndata: \n\n\n";
const PING_FRAME = "event: ping\ndata: \n\n\n";

export interface StreamOverSseOptions {
  pipeline: Pipeline;
  trackStream: TrackStream;
  /** tRPC's ping interval (trpc.ts): a stream silent this long gets a ping frame. */
  pingIntervalMs: number;
}

/**
 * `ai.stream` over SSE, written straight to the socket: the same wire format, headers and
 * behaviour as tRPC's subscription (the real tRPC client reads it), without tRPC's per
 * stream web Request, web streams, async-generator delegation and per-event ping timer,
 * which cost about a quarter of a stream's CPU (bench/README.md). It takes only a plain
 * GET whose one query parameter, `input`, is JSON that core's chat schema accepts; any
 * other request to the path (bad input, `lastEventId`, a batch, another method) returns
 * false and goes to tRPC, which answers it as before. The procedure stays in the router
 * for the client's types and for those requests.
 */
export function createStreamOverSse(options: StreamOverSseOptions) {
  const { pipeline, trackStream } = options;
  const pinger = createSsePinger({ intervalMs: options.pingIntervalMs, frame: PING_FRAME });
  return {
    /** Serves the request and returns true, or returns false having touched nothing. */
    handle(request: IncomingMessage, response: ServerResponse): boolean {
      const input = streamInput(request);
      if (input === undefined) return false;
      const requestId = randomUUID();
      const closed = new AbortController();
      const events = createEndableStream({
        open: (signal) => pipeline.stream(input, { tenant: DEFAULT_TENANT, requestId, service: "trpc", signal }),
        track: trackStream,
        callerSignal: closed.signal,
      });
      response.writeHead(200, { ...SSE_HEADERS, "x-request-id": requestId });
      response.write(CONNECTED_FRAME);
      const live = pinger.add(response);
      response.once("close", () => {
        live.remove();
        if (!response.writableEnded) closed.abort();
      });
      void relay(events, response, live.touch).finally(() => live.remove());
      return true;
    },
    close: () => pinger.close(),
  };
}

/** The parsed request of a plain `GET /trpc/ai.stream?input=...`, or undefined for anything tRPC should see. */
function streamInput(request: IncomingMessage) {
  const url = request.url;
  if (request.method !== "GET" || url === undefined || !url.startsWith(`${STREAM_PATH}?input=`)) return undefined;
  const query = url.slice(STREAM_PATH.length + 1);
  if (query.includes("&")) return undefined;
  try {
    return callerInputs.chat["~standard"].validate(JSON.parse(decodeURIComponent(query.slice("input=".length)))).value;
  } catch {
    // Bad JSON or a bad request: tRPC parses it again and answers with its own error.
    return undefined;
  }
}

/**
 * Pulls events and writes one `data:` frame each, waiting for `drain` when the socket's
 * buffer is full; the endable stream always ends with one `done` or `error` event (or
 * nothing, when the subscriber left), then tRPC's `return` frame ends the answer.
 */
async function relay(
  events: AsyncIterableIterator<StreamEvent>,
  response: ServerResponse,
  touch: () => void,
): Promise<void> {
  for (;;) {
    const result = await events.next();
    if (result.done || response.destroyed) break;
    touch();
    if (!response.write(`data: ${JSON.stringify(result.value)}\n\n\n`) && !response.destroyed) {
      // A full socket buffer: wait until it drains, or the subscriber is gone (close).
      await new Promise<void>((resolve) => {
        const resume = () => {
          response.off("drain", resume);
          response.off("close", resume);
          resolve();
        };
        response.on("drain", resume);
        response.on("close", resume);
      });
    }
  }
  if (!response.destroyed) response.end(RETURN_FRAME);
  else await events.return?.();
}
