import {
  chatRequestSchema,
  embeddingRequestSchema,
  serviceStructuredRequestSchema,
  structuredRequestSchema,
} from "@keel/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { chat, collectStream, startStack, trpcError, type Stack } from "./test-support/stack.ts";

const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

/** Watches the real schemas' safeParse (the real one still runs): how often a request is validated. */
function validations() {
  return {
    chat: vi.spyOn(chatRequestSchema, "safeParse"),
    structured: vi.spyOn(structuredRequestSchema, "safeParse"),
    serviceStructured: vi.spyOn(serviceStructuredRequestSchema, "safeParse"),
    embedding: vi.spyOn(embeddingRequestSchema, "safeParse"),
  };
}

// Every request was validated twice: by the procedure's input and again by the pipeline.
describe("a request through tRPC is validated once, at the procedure's input", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  afterEach(() => vi.restoreAllMocks());

  // Four first requests of a fresh stack (cold paths through every stage): 5 s was too tight on a busy machine.
  it("generate, stream, structured and embed", { timeout: 20_000 }, async () => {
    const seen = validations();
    expect((await stack.client.ai.generate.mutate(chat("once"))).content.length).toBeGreaterThan(0);
    expect(seen.chat).toHaveBeenCalledTimes(1);

    const streamed = await collectStream(stack.client, chat("once, streamed"));
    expect(streamed.events.at(-1)?.type).toBe("done");
    expect(seen.chat).toHaveBeenCalledTimes(2);

    const structured = await stack.client.ai.structured.mutate({ ...chat("city?"), schema });
    expect(structured.validation?.valid).toBe(true);
    expect(seen.serviceStructured).toHaveBeenCalledTimes(1);
    expect(seen.structured).not.toHaveBeenCalled();

    const embedded = await stack.client.ai.embed.mutate({ model: "text-embedding-3-small", input: ["once"] });
    expect(embedded.vectors).toHaveLength(1);
    expect(seen.embedding).toHaveBeenCalledTimes(1);
  });

  it("a bad request is still refused there, naming the field, before any upstream call", async () => {
    const callsBefore = stack.simulator.stats().totalCalls;
    const error = await trpcError(stack.client.ai.generate.mutate(chat("hi", { temprature: 0 }) as never));
    expect(error.data).toMatchObject({ keelCode: "BAD_REQUEST" });
    expect(error.message).toBe('temprature: unknown field; did you mean "temperature"?');
    expect(stack.simulator.stats().totalCalls).toBe(callsBefore);
  });
});
