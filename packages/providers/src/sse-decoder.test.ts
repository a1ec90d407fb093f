import { describe, expect, it } from "vitest";
import { SseDecoder } from "./sse-decoder.ts";

/** Feeds the text to a fresh decoder in pieces of `size` characters, as sockets split it. */
function decodeInPieces(text: string, size: number) {
  const decoder = new SseDecoder();
  const messages = [];
  for (let at = 0; at < text.length; at += size) messages.push(...decoder.push(text.slice(at, at + size)));
  return messages;
}

describe("SseDecoder", () => {
  const stream =
    'data: {"a":1}\n\n' +
    ": a comment\r\n" +
    "event: error\r\n" +
    "data: first\r\n" +
    "data:second\r\n\r\n" +
    'id: 7\rretry: 10\rdata: {"b":2}\r\r' +
    "event: ping\n\n" +
    "event:\n\n" +
    "data: [DONE]\n\n" +
    "data: never dispatched";

  it("decodes events as the openai SDK does, however the text is split (CRLF, LF and CR endings)", () => {
    const expected = [
      { event: null, data: '{"a":1}' },
      { event: "error", data: "first\nsecond" },
      { event: null, data: '{"b":2}' },
      { event: "ping", data: "" },
      // An empty `event:` alone dispatches nothing but stays set for the next event, as in the SDK.
      { event: "", data: "[DONE]" },
    ];
    for (const size of [1, 2, 3, 7, 64, stream.length]) expect(decodeInPieces(stream, size)).toEqual(expected);
  });
});
