import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  dataOf,
  GENERATE,
  graphql,
  startStack,
  type GenerateData,
  type HealthData,
  type Stack,
} from "./test-support/stack.ts";

interface EmbedData {
  embed: {
    model: string;
    provider: string;
    vectors: number[][];
    usage: { promptTokens: number; totalTokens: number };
    cached: boolean;
  };
}

describe("generate mutation", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ rules: [{ promptIncludes: "capital", reply: "Paris is the capital of France." }] });
  });
  afterAll(() => stack.close());

  it("answers the exact mutation of the service contract", async () => {
    const query = `mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "What is the capital of France?" }], temperature: 0 }) {
      id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs } }`;
    const response = await graphql<GenerateData>({ url: stack.url, query });
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
    const generation = dataOf(response).generate;
    expect(generation).toMatchObject({
      content: "Paris is the capital of France.",
      model: "gpt-4o-mini",
      provider: "simulator",
      cache: "MISS",
      attempts: 1,
    });
    expect(typeof generation.id).toBe("string");
    expect(generation.usage.completionTokens).toBeGreaterThan(0);
    expect(generation.usage.totalTokens).toBe(generation.usage.promptTokens + generation.usage.completionTokens);
    expect(generation.costUsd).toBeGreaterThanOrEqual(0);
    expect(generation.latencyMs).toBeGreaterThanOrEqual(0);
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
    // What Apollo's cache-control plugin sent before the service turned it off for speed.
    expect(response.headers["cache-control"]).toBe("no-store");
  });

  it("returns the whole envelope as typed fields, from variables", async () => {
    const response = await graphql<GenerateData>({
      url: stack.url,
      query: GENERATE,
      variables: {
        input: chat("the capital, please", {
          maxTokens: 50,
          topP: 1,
          seed: 7,
          stop: ["\n\n"],
          cache: { mode: "BYPASS" },
          idempotent: true,
        }),
      },
    });
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
    const generation = dataOf(response).generate;
    expect(generation).toMatchObject({
      content: "Paris is the capital of France.",
      model: "gpt-4o-mini",
      provider: "simulator",
      cache: "MISS",
      finishReason: "STOP",
      fallback: { failed: [], answeredBy: "simulator/gpt-4o-mini", degraded: null },
      safety: { input: [], output: [] },
      validation: null,
      data: null,
      toolCalls: null,
    });
    expect(generation.usage).toEqual({
      promptTokens: expect.any(Number),
      completionTokens: expect.any(Number),
      totalTokens: expect.any(Number),
      estimated: expect.toBeOneOf([null, false, true]),
    });
  });

  it("accepts null for optional fields, as GraphQL clients send them", async () => {
    const response = await graphql<GenerateData>({
      url: stack.url,
      query: GENERATE,
      variables: {
        input: chat("capital again", { temperature: null, cache: null, stop: null }),
      },
    });
    expect(response.body?.errors).toBeUndefined();
    expect(response.body?.data?.generate.content).toBe("Paris is the capital of France.");
  });

  it("answers the health query", async () => {
    const response = await graphql<HealthData>({
      url: stack.url,
      query: "{ health { status ready checks { name ok detail } } }",
    });
    expect(response.status).toBe(200);
    expect(response.body?.data?.health).toMatchObject({ status: "ok", ready: true });
    expect(response.body?.data?.health.checks.length).toBeGreaterThan(0);
  });

  it("embeds each input string", async () => {
    const response = await graphql<EmbedData>({
      url: stack.url,
      query: `mutation { embed(input: { model: "text-embedding-3-small", input: ["one", "two"] }) { model provider vectors usage { promptTokens totalTokens } cached } }`,
    });
    expect(response.body?.errors).toBeUndefined();
    const embedding = dataOf(response).embed;
    expect(embedding.provider).toBe("simulator");
    expect(embedding.vectors).toHaveLength(2);
    expect(embedding.vectors[0]?.length).toBeGreaterThan(0);
    expect(embedding.usage.totalTokens).toBeGreaterThan(0);
  });
});
