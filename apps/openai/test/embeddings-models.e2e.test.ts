import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { apiError, startStack, type Stack } from "./test-support/stack.ts";

describe("POST /v1/embeddings and GET /v1/models through the openai SDK", () => {
  let stack: Stack;
  afterEach(() => stack.close());

  it("embeds text with the SDK's default base64 encoding and with floats, the same vectors, the second time from the cache", async () => {
    stack = await startStack();
    const { data: encoded, response } = await stack.client.embeddings
      .create({ model: "text-embedding-3-small", input: ["red apple", "green pear"] })
      .withResponse();
    expect(encoded).toMatchObject({
      object: "list",
      model: "text-embedding-3-small",
      usage: { prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
    expect(encoded.data.map((entry) => [entry.object, entry.index])).toEqual([
      ["embedding", 0],
      ["embedding", 1],
    ]);
    expect(encoded.data[0]?.embedding).toHaveLength(256);
    expect(response.headers.get("x-keel-cache")).toBe("miss");

    const floats = await stack.client.embeddings
      .create({ model: "text-embedding-3-small", input: ["red apple", "green pear"], encoding_format: "float" })
      .withResponse();
    // The SDK decoded base64 into float32 values: equal to the floats within float32 precision.
    const [decoded, plain] = [encoded.data[0]?.embedding ?? [], floats.data.data[0]?.embedding ?? []];
    expect(decoded.map((value) => Math.fround(value))).toEqual(plain.map((value) => Math.fround(value)));
    expect(floats.response.headers.get("x-keel-cache")).toBe("exact");
    expect(stack.simulator.stats().calls["text-embedding-3-small"]).toBe(1);
  });

  it("takes one string as input", async () => {
    stack = await startStack();
    const result = await stack.client.embeddings.create({ model: "text-embedding-3-small", input: "one" });
    expect(result.data).toHaveLength(1);
  });

  it("refuses an unknown embedding model with 404, token arrays and dimensions with 400, before any upstream call", async () => {
    stack = await startStack();
    const unknown = await apiError(stack.client.embeddings.create({ model: "text-embedding-9", input: "x" }));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ code: "BAD_REQUEST", param: "model" });
    const tokens = await apiError(
      stack.client.embeddings.create({ model: "text-embedding-3-small", input: [1, 2, 3] }),
    );
    expect(tokens).toMatchObject({ status: 400, code: "BAD_REQUEST", param: "input" });
    const dimensions = await apiError(
      stack.client.embeddings.create({ model: "text-embedding-3-small", input: "x", dimensions: 64 }),
    );
    expect(dimensions).toMatchObject({ status: 400, param: "dimensions" });
    expect(dimensions.message).toContain("dimensions: not supported");
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("lists the configured chat routes and embedding models, and retrieves one", async () => {
    stack = await startStack({
      config: {
        models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] }, support: { targets: ["simulator/gpt-4o"] } },
      },
    });
    const ids: string[] = [];
    for await (const model of stack.client.models.list()) {
      expect(model).toMatchObject({ object: "model", owned_by: "keel", created: expect.any(Number) });
      ids.push(model.id);
    }
    expect(ids).toEqual(["gpt-4o-mini", "support", "text-embedding-3-small"]);
    expect(await stack.client.models.retrieve("support")).toMatchObject({ id: "support", object: "model" });
    const missing = await apiError(stack.client.models.retrieve("gpt-9"));
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
