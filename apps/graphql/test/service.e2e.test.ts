import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, GENERATE, graphql, startStack, type HealthData, type Stack } from "./test-support/stack.ts";

describe("service endpoints and transport", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ rules: [{ promptIncludes: "hangs", fault: { type: "hang" } }] });
  });
  afterAll(() => stack.close());

  it("answers /healthz, /readyz and /metrics", async () => {
    const health = await fetch(`${stack.host.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", service: "graphql" });

    const ready = await fetch(`${stack.host.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });

    const metrics = await fetch(`${stack.host.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    await metrics.text();
  });

  it("serves queries over GET too", async () => {
    const response = await fetch(`${stack.url}?query=${encodeURIComponent("{ health { ready } }")}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { health: { ready: true } } });
  });

  it("refuses a subscription over HTTP with BAD_REQUEST pointing at WebSocket", async () => {
    const response = await graphql({
      url: stack.url,
      query: `subscription { generateStream(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "hi" }] }) { type } }`,
    });
    expect(response.status).toBe(400);
    expect(response.body?.errors?.[0]?.message).toContain("WebSocket");
    expect(response.body?.errors?.[0]?.extensions).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("a caller who hangs up mid-mutation aborts the upstream call", async () => {
    stack.simulator.reset();
    stack.simulator.setRules([{ promptIncludes: "hangs", fault: { type: "hang" } }]);
    const controller = new AbortController();
    const pending = graphql({
      url: stack.url,
      query: GENERATE,
      variables: { input: chat("this hangs") },
      signal: controller.signal,
    });
    await stack.simulator.waitFor((stats) => stats.inFlight === 1, 10_000);
    controller.abort();
    await expect(pending).rejects.toThrow();
    const stats = await stack.simulator.waitFor(
      (current) => current.clientAborts === 1 && current.inFlight === 0,
      10_000,
    );
    expect(stats.totalCalls).toBe(1);
    // The service is still healthy afterwards.
    const after = await graphql<HealthData>({ url: stack.url, query: "{ health { ready } }" });
    expect(after.body?.data?.health.ready).toBe(true);
  });
});
