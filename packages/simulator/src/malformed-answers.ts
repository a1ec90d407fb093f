import type { Exchange } from "./exchange.ts";
import type { SimulatorFault, SimulatorMalformedForm } from "./types.ts";
import { ChunkFrames, type FinishReason } from "./wire-format.ts";

type MalformedFault = Extract<SimulatorFault, { type: "malformed" }>;

/** An oversized answer's default size: past Keel's 1 MiB event cap, under its 16 MiB body cap. */
export const DEFAULT_OVERSIZED_BYTES = 2 * 1024 * 1024;

/** A JSON answer cut off mid-string: the original `malformed` fault. */
const TRUNCATED_BODY =
  '{"id":"sim-malformed","object":"chat.completion","choices":[{"index":0,"message":{"content":"cut';
/** Complete, but not JSON: single quotes, a bare word and NaN. */
const INVALID_JSON_BODY =
  "{'id': 'sim-invalid', 'object': chat.completion, 'choices': [{'index': 0, 'message': {'content': NaN}}]}";
/** Valid JSON of a shape no OpenAI client expects. */
const UNKNOWN_SHAPE_BODY = '{"object":"unexpected.result","result":{"text":"not a chat completion"},"choices":null}';
/** What a proxy in the way answers with. */
const HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";

const SSE_HEADERS = ["content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache"];
const HTML_HEADERS = ["content-type", "text/html; charset=utf-8"];

export interface MalformedPlan {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  pieces: readonly string[];
  finishReason: FinishReason;
}

function formOf(fault: MalformedFault): SimulatorMalformedForm {
  return fault.form ?? "truncated";
}

/** A JSON (non-streamed) call under a `malformed` fault; `body` is the well-formed answer. */
export function sendMalformedJson(exchange: Exchange, fault: MalformedFault, body: string): void {
  const response = exchange.response;
  switch (formOf(fault)) {
    case "truncated":
      exchange.sendJson(200, TRUNCATED_BODY);
      return;
    case "invalid-json":
      exchange.sendJson(200, INVALID_JSON_BODY);
      return;
    case "unknown-shape":
      exchange.sendJson(200, UNKNOWN_SHAPE_BODY);
      return;
    case "empty-body":
      exchange.sendJson(200, "");
      return;
    case "wrong-content-type":
      response.writeHead(200, HTML_HEADERS);
      response.end(HTML_PAGE);
      return;
    case "oversized": {
      // A valid completion whose content alone is `bytes` long, sent as fast as the client reads.
      const head =
        '{"id":"sim-oversized","object":"chat.completion","created":0,"model":"oversized",' +
        '"choices":[{"index":0,"message":{"role":"assistant","content":"';
      response.writeHead(200, ["content-type", "application/json"]);
      pump(exchange, { head, bytes: fault.bytes ?? DEFAULT_OVERSIZED_BYTES, tail: '"},"finish_reason":"stop"}]}' });
      return;
    }
    case "no-blank-line":
      // SSE framing only: a JSON call gets its normal answer.
      exchange.sendJson(200, body);
      return;
  }
}

/** A streamed call under a `malformed` fault: the frames arrive at once, after ttft. */
export function streamMalformed(exchange: Exchange, fault: MalformedFault, plan: MalformedPlan): void {
  const frames = new ChunkFrames(plan);
  const response = exchange.response;
  const content = plan.pieces.map((piece) => frames.content(piece));
  const ending = frames.finish(plan.finishReason) + ChunkFrames.done;
  const form = formOf(fault);
  if (form === "wrong-content-type") {
    response.writeHead(200, HTML_HEADERS);
    response.end(HTML_PAGE);
    return;
  }
  response.writeHead(200, SSE_HEADERS);
  switch (form) {
    case "truncated":
      response.end(frames.role() + (content[0] ?? "") + frames.broken());
      return;
    case "invalid-json":
      response.end(
        frames.role() + (content[0] ?? "") + "data: {not json at all\n\n" + content.slice(1).join("") + ending,
      );
      return;
    case "unknown-shape":
      response.end(
        frames.role() +
          (content[0] ?? "") +
          'data: {"object":"unexpected.event","payload":[1,2,3]}\n\n' +
          content.slice(1).join("") +
          ending,
      );
      return;
    case "empty-body":
      response.end();
      return;
    case "no-blank-line": {
      // The finish chunk is never terminated by a blank line, and [DONE] never comes.
      const finish = frames.finish(plan.finishReason);
      response.end(frames.role() + content.join("") + finish.slice(0, -2));
      return;
    }
    case "oversized":
      response.write(frames.role());
      pump(exchange, {
        head: `data: {"id":"${plan.id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"`,
        bytes: fault.bytes ?? DEFAULT_OVERSIZED_BYTES,
        tail: `"},"finish_reason":null}]}\n\n${ending}`,
      });
      return;
  }
}

const FILLER = "x".repeat(64 * 1024);

/**
 * Writes `head`, `bytes` of filler and `tail`, as fast as the client reads (backpressure
 * respected), and stops once the client goes away: a huge `bytes` is an endless line.
 */
function pump(exchange: Exchange, parts: { head: string; bytes: number; tail: string }): void {
  const response = exchange.response;
  let left = parts.bytes;
  const next = (): void => {
    while (left > 0) {
      if (exchange.closed) return;
      const piece = left >= FILLER.length ? FILLER : FILLER.slice(0, left);
      left -= piece.length;
      if (!response.write(piece)) {
        response.once("drain", next);
        return;
      }
    }
    if (!exchange.closed) response.end(parts.tail);
  };
  response.write(parts.head);
  next();
}
