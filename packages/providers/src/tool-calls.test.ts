import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Generation, StreamEvent } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIProvider, type Provider } from "./openai-provider.ts";
import { recordingContext } from "./test-support/recording-context.ts";

// The simulator answers with text only; this small scripted server answers with tool
// calls, as OpenAI does, and records the body it received.
const TOOL_CALL = { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } };
const received: Array<Record<string, unknown>> = [];
let server: Server;
let provider: Provider;

function chunk(delta: object, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-tools", object: "chat.completion.chunk", model: "gpt-4o", choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = "";
    request.on("data", (part) => (text += part));
    request.on("end", () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push(body);
      if (body.stream) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(
          chunk({
            role: "assistant",
            tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "weather", arguments: "" } }],
          }),
        );
        response.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }));
        response.write(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }));
        response.write(chunk({}, "tool_calls"));
        response.end("data: [DONE]\n\n");
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "chatcmpl-tools",
          object: "chat.completion",
          model: "gpt-4o",
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: null, tool_calls: [TOOL_CALL] },
              finish_reason: "tool_calls",
            },
          ],
          usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  provider = createOpenAIProvider({
    name: "tools",
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    apiKey: "key",
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const request = {
  model: "gpt-4o",
  messages: [{ role: "user" as const, content: "Weather in Oslo?" }],
  tools: [{ type: "function" as const, function: { name: "weather", parameters: { type: "object" } } }],
  toolChoice: "auto" as const,
};

describe("tool calls", () => {
  it("returns the upstream's tool calls in the envelope, and sends tools on the wire", async () => {
    const generation = await provider.generate(request, recordingContext().ctx);
    expect(generation).toMatchObject({ content: "", finishReason: "tool_calls", toolCalls: [TOOL_CALL] });
    expect(generation.costUsd).toBeCloseTo((20 * 2.5 + 10 * 10) / 1e6, 15);
    expect(received.at(-1)).toMatchObject({ tools: request.tools, tool_choice: "auto" });
    expect(received.at(-1)).not.toHaveProperty("stream");
  });

  it("assembles streamed tool-call pieces, asking for usage in the final chunk", async () => {
    const events: StreamEvent[] = [];
    for await (const event of provider.stream(request, recordingContext("stream").ctx)) events.push(event);
    expect(events.map((event) => event.type)).toEqual(["done"]);
    const generation = (events[0] as { generation: Generation }).generation;
    expect(generation).toMatchObject({ finishReason: "tool_calls", toolCalls: [TOOL_CALL] });
    // This server sent no usage chunk: estimated, and said so.
    expect(generation.usage.estimated).toBe(true);
    expect(generation.usage.completionTokens).toBeGreaterThan(0);
    expect(received.at(-1)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});
