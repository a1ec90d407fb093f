import {
  chatRequestSchema,
  embeddingRequestSchema,
  serviceStructuredRequestSchema,
  structuredRequestSchema,
} from "@keel/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  chat,
  collectStream,
  dataOf,
  GENERATE,
  graphql,
  startStack,
  wsClient,
  type GenerateData,
  type Stack,
} from "./test-support/stack.ts";

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

// Every request was validated twice: by the resolver and again by the pipeline.
describe("a request through GraphQL is validated once, by its resolver", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  afterEach(() => vi.restoreAllMocks());

  it("generate, generateStream, structured and embed", async () => {
    const seen = validations();
    const generated = dataOf(
      await graphql<GenerateData>({ url: stack.url, query: GENERATE, variables: { input: chat("once") } }),
    );
    expect(generated.generate.content.length).toBeGreaterThan(0);
    expect(seen.chat).toHaveBeenCalledTimes(1);

    const client = wsClient(stack.wsUrl);
    try {
      const streamed = await collectStream(client, chat("once, streamed"));
      expect(streamed.events.at(-1)?.type).toBe("DONE");
    } finally {
      await client.dispose();
    }
    expect(seen.chat).toHaveBeenCalledTimes(2);

    const structured = await graphql<{ structured: { data: unknown } }>({
      url: stack.url,
      query: "mutation($input: StructuredInput!) { structured(input: $input) { data } }",
      variables: { input: { ...chat("city?"), schema } },
    });
    expect(dataOf(structured).structured.data).toEqual({ city: "example" });
    expect(seen.serviceStructured).toHaveBeenCalledTimes(1);
    expect(seen.structured).not.toHaveBeenCalled();

    const embedded = await graphql<{ embed: { vectors: number[][] } }>({
      url: stack.url,
      query: "mutation($input: EmbedInput!) { embed(input: $input) { vectors } }",
      variables: { input: { model: "text-embedding-3-small", input: ["once"] } },
    });
    expect(dataOf(embedded).embed.vectors).toHaveLength(1);
    expect(seen.embedding).toHaveBeenCalledTimes(1);
  });
});
