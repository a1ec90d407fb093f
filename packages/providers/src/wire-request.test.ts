import type { ChatRequest } from "@keel/spec";
import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { toWireRequest } from "./wire-request.ts";

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(KeelError.isInstance(error) && error.code).toBe("BAD_REQUEST");
    return (error as KeelError).details.field;
  }
  throw new Error("expected a BAD_REQUEST");
}

describe("toWireRequest", () => {
  it("sends only what the caller set", () => {
    expect(toWireRequest({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })).toEqual({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Hi" }],
    });
  });

  it("maps camelCase options to wire names", () => {
    const request: ChatRequest = {
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief.", name: "rules" },
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }],
        },
        { role: "tool", content: "sunny", toolCallId: "call_1" },
      ],
      temperature: 0,
      topP: 0.9,
      maxTokens: 64,
      stop: ["\n\n"],
      seed: 7,
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }],
      toolChoice: { type: "function", function: { name: "weather" } },
      responseFormat: { type: "json_schema", jsonSchema: { name: "answer", schema: { type: "object" }, strict: true } },
    };
    expect(toWireRequest(request)).toEqual({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief.", name: "rules" },
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }],
        },
        { role: "tool", content: "sunny", tool_call_id: "call_1" },
      ],
      temperature: 0,
      top_p: 0.9,
      max_tokens: 64,
      stop: ["\n\n"],
      seed: 7,
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }],
      tool_choice: { type: "function", function: { name: "weather" } },
      response_format: {
        type: "json_schema",
        json_schema: { name: "answer", schema: { type: "object" }, strict: true },
      },
    });
    expect(
      toWireRequest({ model: "m", messages: [{ role: "user", content: "x" }], responseFormat: { type: "json_object" } })
        .response_format,
    ).toEqual({
      type: "json_object",
    });
  });

  it("rejects bad input with BAD_REQUEST naming the field", () => {
    expect(fieldOf(() => toWireRequest({ model: "", messages: [{ role: "user", content: "x" }] }))).toBe("model");
    expect(fieldOf(() => toWireRequest({ model: "m", messages: [] }))).toBe("messages");
    const badRole = { model: "m", messages: [{ role: "robot", content: "x" }] } as unknown as ChatRequest;
    expect(fieldOf(() => toWireRequest(badRole))).toBe("messages.0.role");
    const badContent = {
      model: "m",
      messages: [
        { role: "user", content: "x" },
        { role: "user", content: 5 },
      ],
    } as unknown as ChatRequest;
    expect(fieldOf(() => toWireRequest(badContent))).toBe("messages.1.content");
    expect(fieldOf(() => toWireRequest({ model: "m", messages: [{ role: "tool", content: "x" }] }))).toBe(
      "messages.0.toolCallId",
    );
  });
});
