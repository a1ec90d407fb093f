/**
 * Regression (issue 12.11): Keel's fetch read a non-streamed upstream body whole and an
 * SSE event as long as the upstream kept sending it, so an upstream that never stops
 * (or sends gigabytes) grew the heap until the process died. Bodies and single events
 * are now capped; past the cap the socket is destroyed and the call fails with
 * UPSTREAM_UNAVAILABLE and `details.reason` upstream-body-too-large / upstream-event-too-large.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StreamEvent } from "@keel/spec";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIProvider, type ProviderOptions } from "./openai-provider.ts";
import { keelErrorOf, recordingContext, until } from "./test-support/recording-context.ts";

const MEGABYTE = 1024 * 1024;
// What the test server sends at most when nobody stops it: far past every cap.
const SERVER_LIMIT = 48 * MEGABYTE;
const hello = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Say hello" }] };

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let baseURL: string;
let handler: Handler;
let requests = 0;
/** Bytes each answer managed to write before its socket closed, in order. */
let written: number[] = [];
let closed = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    request.resume();
    request.once("end", () => handler(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = 0;
  written = [];
  closed = 0;
});

/** Writes `head`, then `filler` as fast as the client reads it until SERVER_LIMIT or the socket closes. */
function endless(response: ServerResponse, parts: { head: string; filler: string; tail?: string }): void {
  const { head, filler, tail = "" } = parts;
  const piece = filler.repeat(Math.ceil((64 * 1024) / filler.length));
  let sent = 0;
  response.once("close", () => {
    written.push(sent);
    closed += 1;
  });
  const pump = (): void => {
    while (sent < SERVER_LIMIT && !response.destroyed) {
      sent += piece.length;
      if (!response.write(piece)) {
        response.once("drain", pump);
        return;
      }
    }
    if (!response.destroyed) response.end(tail);
  };
  sent += head.length;
  response.write(head);
  pump();
}

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  })}\n\n`;

const completion = (content: string) =>
  JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  });

function provider(options: Partial<ProviderOptions> = {}) {
  return createOpenAIProvider({ name: "limited", baseURL, apiKey: "sk-test-limits-123456", ...options });
}

async function streamFailure(events: AsyncIterable<StreamEvent>) {
  const seen: StreamEvent[] = [];
  const error = await keelErrorOf(
    (async () => {
      for await (const event of events) seen.push(event);
    })(),
  );
  return { error, seen };
}

describe("upstream read limits (regression: unbounded upstream reads)", () => {
  it("an endless JSON body stops at the default 16 MB: UPSTREAM_UNAVAILABLE upstream-body-too-large, socket destroyed", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      endless(response, { head: '{"id":"chatcmpl-1","choices":[{"message":{"content":"', filler: "a", tail: '"}}]}' });
    };
    const { ctx, events } = recordingContext();
    const error = await keelErrorOf(provider().generate(hello, ctx));

    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({
      target: "limited/gpt-4o-mini",
      reason: "upstream-body-too-large",
      limitBytes: 16 * MEGABYTE,
    });
    expect(error.message).toBe("limited/gpt-4o-mini: the upstream's answer is larger than 16777216 bytes");
    await until(() => closed === 1);
    expect(written[0]).toBeLessThan(SERVER_LIMIT);
    expect(requests).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: "upstream-error", code: "UPSTREAM_UNAVAILABLE" });
  });

  it("a Content-Length over the cap is refused before the body is read", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(SERVER_LIMIT) });
      endless(response, { head: "{", filler: " " });
    };
    const error = await keelErrorOf(provider({ maxBodyBytes: MEGABYTE }).generate(hello, recordingContext().ctx));
    expect(error.details).toMatchObject({ reason: "upstream-body-too-large", limitBytes: MEGABYTE });
    await until(() => closed === 1);
    expect(written[0]).toBeLessThan(SERVER_LIMIT);
  });

  it("a body just under a configured cap is read; one just over it is not", async () => {
    const small = completion("x".repeat(400));
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(small);
    };
    const bytes = Buffer.byteLength(small);
    expect((await provider({ maxBodyBytes: bytes }).generate(hello, recordingContext().ctx)).content).toBe(
      "x".repeat(400),
    );
    const error = await keelErrorOf(provider({ maxBodyBytes: bytes - 1 }).generate(hello, recordingContext().ctx));
    expect(error.details).toMatchObject({ reason: "upstream-body-too-large", limitBytes: bytes - 1 });
  });

  it("an endless SSE data line stops at the default 1 MB event cap: upstream-event-too-large, socket destroyed", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(chunk("Hello"));
      endless(response, { head: 'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"', filler: "a" });
    };
    const { error, seen } = await streamFailure(provider().stream(hello, recordingContext("stream").ctx));

    expect(seen).toEqual([{ type: "delta", content: "Hello" }]);
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({
      target: "limited/gpt-4o-mini",
      reason: "upstream-event-too-large",
      limitBytes: MEGABYTE,
    });
    await until(() => closed === 1);
    expect(written[0]).toBeLessThan(SERVER_LIMIT);
  });

  it("the event cap is per event: a long stream of small events passes a small cap, CRLF framing included", async () => {
    const pieces = Array.from({ length: 2_000 }, (_, index) => `w${index} `);
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      for (const [index, piece] of pieces.entries()) {
        const frame = chunk(piece);
        response.write(index % 2 === 0 ? frame : frame.replaceAll("\n", "\r\n"));
      }
      response.end(`${chunk("", "stop")}data: [DONE]\n\n`);
    };
    const deltas: string[] = [];
    for await (const event of provider({ maxEventBytes: 400 }).stream(hello, recordingContext("stream").ctx)) {
      if (event.type === "delta") deltas.push(event.content);
    }
    expect(deltas).toEqual(pieces);
  });

  it("one event over a configured cap fails the stream even when it arrives split over many writes", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(chunk("ok"));
      const big = chunk("y".repeat(600));
      for (let index = 0; index < big.length; index += 50) response.write(big.slice(index, index + 50));
      response.end(`${chunk("", "stop")}data: [DONE]\n\n`);
    };
    const { error, seen } = await streamFailure(
      provider({ maxEventBytes: 500 }).stream(hello, recordingContext("stream").ctx),
    );
    expect(seen).toEqual([{ type: "delta", content: "ok" }]);
    expect(error.details).toMatchObject({ reason: "upstream-event-too-large", limitBytes: 500 });
  });

  it("rejects a cap that is not a positive integer", () => {
    expect(() => provider({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => provider({ maxEventBytes: 1.5 })).toThrow(/maxEventBytes/);
  });
});
