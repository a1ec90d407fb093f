import { createEndableStream, createSsePinger, relaySse } from "@keel/core";
import { KeelError, toKeelError, type KeelErrorBody, type StreamEvent } from "@keel/spec";
import { callOptionsOf, type Exchange, type ServiceParts } from "../http/exchange.ts";
import { toOpenaiError } from "../http/openai-error.ts";
import { sendError } from "../http/send.ts";
import { createChunkWriter } from "./chunks.ts";
import type { ChatCall } from "./to-chat-request.ts";

/** A comment line this often keeps the stream alive through proxies while a slow model has not answered. */
const KEEP_ALIVE_MS = 15_000;
/** One timer for every live stream of the process (a silent one gets the comment), not one per stream. */
const keepAlive = createSsePinger({ intervalMs: KEEP_ALIVE_MS, frame: ": keep-alive\n\n" });

/**
 * Serves a pipeline stream as OpenAI's SSE. The response waits for the first event: a
 * failure before any output (bad model, every target down, a deadline) is a plain HTTP
 * error with its status, as OpenAI answers it and its SDKs expect. After that, the chunks;
 * a success ends with `data: [DONE]`; a failure ends with one `data: {"error": {...}}`
 * event, which the OpenAI SDKs raise as an APIError, and never with `[DONE]`, so a cut
 * answer cannot pass for a complete one.
 */
export async function streamChat(
  parts: ServiceParts,
  exchange: Exchange,
  options: { call: ChatCall; envelope: boolean },
): Promise<void> {
  const { response, signal } = exchange;
  const { call } = options;
  const events = createEndableStream({
    open: (streamSignal) => parts.pipeline.stream(call.request, { ...callOptionsOf(exchange), signal: streamSignal }),
    track: parts.trackStream,
    callerSignal: signal,
  });
  // The caller left: end at once, even while the upstream is silent.
  const leave = () => void events.return?.();
  signal.addEventListener("abort", leave, { once: true });
  try {
    const first = await events.next();
    if (first.done) return;
    if (first.value.type === "error") return sendError(response, keelErrorOf(first.value.error));

    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const chunks = createChunkWriter({
      id: `chatcmpl-${exchange.requestId}`,
      model: call.request.model,
      includeUsage: call.includeUsage,
    });
    // Each event's whole framing: a success's last chunks and `[DONE]` leave in one write.
    const frame = (event: StreamEvent): string => {
      if (event.type === "delta") return dataLine(chunks.content(event.content));
      if (event.type === "done")
        return `${chunks.end(event.generation, options.envelope).map(dataLine).join("")}data: [DONE]\n\n`;
      return dataLine(toOpenaiError(keelErrorOf(event.error)).body);
    };
    const live = keepAlive.add(response);
    try {
      if (!response.destroyed) response.write(dataLine(chunks.role()) + frame(first.value));
      // core's SSE relay, as tRPC's ai.stream: only the framing is OpenAI's.
      // After `done` or `error` the answer ends: that frame and the end leave in one write.
      const end = await relaySse({
        events,
        response,
        frame,
        touch: live.touch,
        last: (event) => event.type !== "delta",
      });
      if (end.kind === "thrown" && !response.destroyed) response.write(frame(thrownEvent(end.error)));
    } finally {
      live.remove();
      response.end();
    }
  } finally {
    signal.removeEventListener("abort", leave);
  }
}

function dataLine(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** The endable stream turns failures into error events; should its iterator throw anyway, the answer still ends typed. */
function thrownEvent(error: unknown): StreamEvent {
  return { type: "error", error: toKeelError(error).toJSON() };
}

function keelErrorOf(body: KeelErrorBody): KeelError {
  return new KeelError(body.code, body.message, { retryable: body.retryable, details: body.details });
}
