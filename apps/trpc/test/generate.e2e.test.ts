import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Generation } from "@keel/spec";
import { chat, post, startStack, type Stack } from "./test-support/stack.ts";

const CURL_BODY = '{"messages":[{"role":"user","content":"Hi"}],"model":"gpt-4o-mini","temperature":0}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectEnvelope(generation: Generation, content: string): void {
  expect(generation).toMatchObject({
    content,
    model: "gpt-4o-mini",
    provider: "simulator",
    cache: "miss",
    fallback: { failed: [], answeredBy: "simulator/gpt-4o-mini" },
    attempts: 1,
    finishReason: "stop",
    safety: { input: [], output: [] },
  });
  expect(typeof generation.id).toBe("string");
  expect(generation.id.length).toBeGreaterThan(0);
  expect(generation.usage.promptTokens).toBeGreaterThan(0);
  expect(generation.usage.completionTokens).toBeGreaterThan(0);
  expect(generation.usage.totalTokens).toBe(generation.usage.promptTokens + generation.usage.completionTokens);
  expect(generation.costUsd).toBeGreaterThanOrEqual(0);
  expect(generation.latencyMs).toBeGreaterThanOrEqual(0);
}

describe("ai.generate", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "Hi", reply: "Hello there!" },
        { promptIncludes: "typed", reply: "typed answer" },
      ],
    });
  });
  afterAll(() => stack.close());

  it("returns the whole envelope through the typed client", async () => {
    const generation = await stack.client.ai.generate.mutate(chat("a typed call"));
    expectEnvelope(generation, "typed answer");
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBeGreaterThanOrEqual(1);
  });

  it("answers the contract's curl body with {result:{data:<Generation>}} and an x-request-id", async () => {
    const before = stack.simulator.stats().totalCalls;
    const response = await post(`${stack.url}/ai.generate`, CURL_BODY);
    expect(response.status).toBe(200);
    const body = response.json as { result: { data: Generation } };
    expectEnvelope(body.result.data, "Hello there!");
    expect(stack.simulator.stats().totalCalls).toBe(before + 1);
    expect(response.headers.get("x-request-id")).toMatch(UUID);
  });

  it("makes its own request id per request and ignores one the caller sends", async () => {
    const first = await post(`${stack.url}/ai.generate`, CURL_BODY, { "x-request-id": "caller-chosen" });
    const second = await post(`${stack.url}/ai.generate`, CURL_BODY);
    const firstId = first.headers.get("x-request-id");
    expect(firstId).toMatch(UUID);
    expect(firstId).not.toBe(second.headers.get("x-request-id"));
  });

  it("ignores tenant fields the caller sets: a strict schema refuses them", async () => {
    const response = await post(`${stack.url}/ai.generate`, JSON.stringify({ ...chat("Hi"), tenant: "someone-else" }), {
      "x-tenant": "other",
    });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { data: { keelCode: "BAD_REQUEST" } } });
    expect(JSON.stringify(response.json)).toContain("tenant");
  });

  it("embeds through ai.embed", async () => {
    const result = await stack.client.ai.embed.mutate({ model: "text-embedding-3-small", input: ["one", "two"] });
    expect(result.vectors).toHaveLength(2);
    expect(result.vectors[0]?.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ provider: "simulator", cached: false });
    expect(result.usage.promptTokens).toBeGreaterThan(0);
  });

  it("reports health and readiness through the health query", async () => {
    const health = await stack.client.health.query();
    expect(health).toMatchObject({ status: "ok", ready: true });
    expect(Object.keys(health.checks).length).toBeGreaterThan(0);
  });

  it("batches calls from the typed client into one HTTP request", async () => {
    const [first, second] = await Promise.all([
      stack.client.ai.generate.mutate(chat("typed one")),
      stack.client.ai.generate.mutate(chat("typed two")),
    ]);
    expect(first.content).toBe("typed answer");
    expect(second.content).toBe("typed answer");
    expect(first.id).not.toBe(second.id);
  });
});

describe("host endpoints", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it("answers /healthz, /readyz and /metrics beside /trpc", async () => {
    const health = await fetch(`${stack.host.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const ready = await fetch(`${stack.host.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    const metrics = await fetch(`${stack.host.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
  });

  it("answers an unknown path with a typed 404", async () => {
    const response = await fetch(`${stack.host.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "BAD_REQUEST", details: { reason: "not-found" } } });
  });
});
