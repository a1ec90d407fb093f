import { createEndableStream } from "@keel/core";
import { KeelError, type KeelErrorBody, type StreamEvent } from "@keel/spec";
import { callOptionsOf, type Exchange, type ServiceParts } from "../http/exchange.ts";
import { toOpenaiError } from "../http/openai-error.ts";
import { sendError } from "../http/send.ts";
import { createChunkWriter } from "./chunks.ts";
import type { ChatCall } from "./to-chat-request.ts";

/** A comment line this often keeps the stream alive through proxies while a slow model has not answered. */
const KEEP_ALIVE_MS = 15_000;

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
    let next = await events.next();
    if (next.done) return;
    if (next.value.type === "error") return sendError(response, keelErrorOf(next.value.error));

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
    const send = (data: unknown) => {
      if (!response.destroyed) response.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    const keepAlive = setInterval(() => {
      if (!response.destroyed) response.write(": keep-alive\n\n");
    }, KEEP_ALIVE_MS);
    try {
      send(chunks.role());
      while (!next.done) {
        const event: StreamEvent = next.value;
        if (event.type === "delta") send(chunks.content(event.content));
        else if (event.type === "done") {
          for (const chunk of chunks.end(event.generation, options.envelope)) send(chunk);
          if (!response.destroyed) response.write("data: [DONE]\n\n");
          break;
        } else {
          send(toOpenaiError(keelErrorOf(event.error)).body);
          break;
        }
        next = await events.next();
      }
    } finally {
      clearInterval(keepAlive);
      response.end();
    }
  } finally {
    signal.removeEventListener("abort", leave);
  }
}

function keelErrorOf(body: KeelErrorBody): KeelError {
  return new KeelError(body.code, body.message, { retryable: body.retryable, details: body.details });
}
