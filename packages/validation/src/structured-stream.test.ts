import type { ChatRequest, StreamEvent } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { structuredOutputMiddleware } from "./structured-output-middleware.ts";
import { createTestContext, generationOf, scriptedModel } from "./test-support/scripted-model.ts";

const schema = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
  additionalProperties: false,
};

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Capital of France?" }],
    structured: { schema },
    ...overrides,
  };
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("structuredOutputMiddleware: streams", () => {
  it("forwards the deltas and ends with a validated, repaired done", async () => {
    const answer = '```json\n{"city": "Paris",}\n```';
    const model = scriptedModel([answer]);
    const { ctx, events } = createTestContext();
    const streamed = await collect(
      structuredOutputMiddleware().wrapStream!({ request: request(), ctx, next: model.stream }),
    );
    const deltas = streamed.filter((event) => event.type === "delta");
    expect(deltas.map((event) => event.content).join("")).toBe(answer);
    const done = streamed.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type !== "done") return;
    expect(done.generation.data).toEqual({ city: "Paris" });
    expect(done.generation.content).toBe('{"city":"Paris"}');
    expect(done.generation.validation).toMatchObject({ valid: true, attempts: 1, repaired: true });
    expect(model.calls).toHaveLength(1);
    expect(events).toHaveLength(1);
  });

  it("re-asks without streaming the re-asks and sums usage into done", async () => {
    const model = scriptedModel(['{"town": "Paris"}', '{"city": "Paris"}']);
    const { ctx } = createTestContext();
    const streamed = await collect(
      structuredOutputMiddleware().wrapStream!({ request: request(), ctx, next: model.stream }),
    );
    expect(model.calls).toHaveLength(2);
    expect(model.calls[1]!.messages.at(-1)?.content).toContain("- /city: is required but missing");
    expect(
      streamed
        .filter((event) => event.type === "delta")
        .map((event) => event.type === "delta" && event.content)
        .join(""),
    ).toBe('{"town": "Paris"}');
    const done = streamed.at(-1);
    if (done?.type !== "done") throw new Error("no done event");
    expect(done.generation.data).toEqual({ city: "Paris" });
    expect(done.generation.usage.totalTokens).toBe(30);
    expect(done.generation.validation?.attempts).toBe(2);
  });

  it("throws VALIDATION_FAILED from the iterator when no attempt is valid", async () => {
    const model = scriptedModel(["no", "no", "no"]);
    const { ctx } = createTestContext();
    await expect(
      collect(structuredOutputMiddleware().wrapStream!({ request: request(), ctx, next: model.stream })),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(model.calls).toHaveLength(3);
  });

  it("throws BAD_REQUEST from the iterator before any upstream call", async () => {
    const model = scriptedModel([]);
    const { ctx } = createTestContext();
    const stream = structuredOutputMiddleware().wrapStream!({
      request: request({ structured: { schema, maxAttempts: 9 } }),
      ctx,
      next: model.stream,
    });
    await expect(collect(stream)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "structured.maxAttempts" },
    });
    expect(model.calls).toHaveLength(0);
  });

  it("ends without done when the upstream stream was cut short", async () => {
    const { ctx } = createTestContext();
    async function* cutShort(): AsyncIterable<StreamEvent> {
      yield { type: "delta", content: '{"ci' };
    }
    const streamed = await collect(
      structuredOutputMiddleware().wrapStream!({ request: request(), ctx, next: () => cutShort() }),
    );
    expect(streamed).toEqual([{ type: "delta", content: '{"ci' }]);
  });

  it("passes an unstructured stream through as the very same iterable", () => {
    const { ctx } = createTestContext();
    const upstream = (async function* (): AsyncIterable<StreamEvent> {
      yield { type: "done", generation: generationOf("hi") };
    })();
    const plain: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
    expect(structuredOutputMiddleware().wrapStream!({ request: plain, ctx, next: () => upstream })).toBe(upstream);
  });
});
