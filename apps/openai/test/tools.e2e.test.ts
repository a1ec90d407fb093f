import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipeline, parseConfig, type Pipeline, type ServiceHost } from "@keel/core";
import { startOpenaiService } from "../src/index.ts";
import { createClient } from "./test-support/stack.ts";
import { startToolUpstream } from "./test-support/tool-upstream.ts";

const TOOLS = [
  {
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "The weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

describe("tools through the OpenAI endpoint", () => {
  let upstream: Awaited<ReturnType<typeof startToolUpstream>>;
  let pipeline: Pipeline;
  let host: ServiceHost;
  beforeAll(async () => {
    upstream = await startToolUpstream();
    pipeline = createPipeline(
      parseConfig({
        providers: { tools: { baseURL: upstream.url, apiKey: "test" } },
        models: { agent: { targets: ["tools/gpt-4o-mini"] } },
        telemetry: { log: { level: "silent" } },
      }),
    );
    host = await startOpenaiService({ pipeline, host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await host.shutdown();
    await pipeline.close();
    await upstream.close();
  });

  const client = () => createClient(`${host.url}/v1`, { "x-keel-cache-mode": "bypass" });

  it("forwards tools and tool_choice, and answers the tool call with content null and finish_reason tool_calls", async () => {
    const completion = await client().chat.completions.create({
      model: "agent",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: TOOLS,
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(upstream.bodies.at(-1)).toMatchObject({
      model: "gpt-4o-mini",
      tools: TOOLS,
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
    });
  });

  it("sends the tool's answer back upstream as OpenAI's tool turn", async () => {
    await client().chat.completions.create({
      model: "agent",
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18 °C, clear" },
      ],
      tools: TOOLS,
    });
    expect(upstream.bodies.at(-1)?.messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool", content: "18 °C, clear", tool_call_id: "call_1" },
    ]);
  });

  it("streams the tool call as a tool_calls delta the SDK assembles, then finish_reason tool_calls", async () => {
    const stream = client().chat.completions.stream({
      model: "agent",
      messages: [{ role: "user", content: "Weather in Paris, streamed?" }],
      tools: TOOLS,
    });
    const final = await stream.finalChatCompletion();
    expect(upstream.bodies.at(-1)).toMatchObject({ stream: true, tools: TOOLS });
    expect(final.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
    });
  });
});
