import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Generation } from "@keel/spec";
import { chat, collectStream, post, startStack, trpcError, type Stack } from "./test-support/stack.ts";

const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };

describe("usage.get and metrics.snapshot after scripted traffic", () => {
  let stack: Stack;
  const envelopes: Generation[] = [];
  let failures = 0;

  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "fail-500", fault: { type: "status", status: 500 } },
        { promptIncludes: "first-wrong", times: 1, reply: '{"answer": 42}' },
      ],
      // No retries: the failing request is one upstream call and one error.
      config: { defaults: { policy: { retry: false, breaker: false } } },
    });
    // The script: plain generations, a structured call with a re-ask, a stream, and failures.
    for (const content of ["usage one", "usage two", "usage three"])
      envelopes.push(await stack.client.ai.generate.mutate(chat(content, { cache: { mode: "bypass" } })));
    envelopes.push(
      await stack.client.ai.structured.mutate({ ...chat("first-wrong answer", { cache: { mode: "bypass" } }), schema }),
    );
    const streamed = await collectStream(stack.client, chat("usage streamed", { cache: { mode: "bypass" } }));
    const done = streamed.events.at(-1);
    if (done?.type !== "done") throw new Error(`the stream did not finish: ${JSON.stringify(done)}`);
    envelopes.push(done.generation);
    for (const content of ["fail-500 one", "fail-500 two"]) {
      const error = await trpcError(stack.client.ai.generate.mutate(chat(content, { cache: { mode: "bypass" } })));
      expect(error.data?.keelCode).toBe("UPSTREAM_UNAVAILABLE");
      failures += 1;
    }
  });
  afterAll(() => stack.close());

  const sum = (pick: (generation: Generation) => number) =>
    envelopes.reduce((total, generation) => total + pick(generation), 0);

  it("reports usage totals equal to the sum of the returned envelopes", async () => {
    const report = await stack.client.usage.get.query();
    expect(report.tenant).toBe("default");
    expect(report.totals).toMatchObject({
      requests: envelopes.length + failures,
      errors: failures,
      promptTokens: sum((generation) => generation.usage.promptTokens),
      completionTokens: sum((generation) => generation.usage.completionTokens),
      totalTokens: sum((generation) => generation.usage.totalTokens),
    });
    expect(report.totals.costUsd).toBeGreaterThan(0);
    expect(report.totals.costUsd).toBeCloseTo(
      sum((generation) => generation.costUsd),
      12,
    );
    // One UTC day (today), one answering model.
    expect(report.days).toHaveLength(1);
    expect(report.days[0]?.day).toBe(new Date().toISOString().slice(0, 10));
    expect(Object.keys(report.days[0]?.models ?? {})).toContain("gpt-4o-mini");
  });

  it("narrows by model and day, and refuses a bad day with BAD_REQUEST naming the field", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const narrowed = await stack.client.usage.get.query({ from: today, to: today, model: "gpt-4o-mini" });
    expect(narrowed).toMatchObject({ from: today, to: today, model: "gpt-4o-mini" });
    expect(narrowed.totals.completionTokens).toBe(sum((generation) => generation.usage.completionTokens));
    const none = await stack.client.usage.get.query({ model: "no-such-model" });
    expect(none.totals.requests).toBe(0);
    const error = await trpcError(stack.client.usage.get.query({ from: "yesterday" }));
    expect(error.data).toMatchObject({ keelCode: "BAD_REQUEST", httpStatus: 400, details: { field: "from" } });
  });

  it("never takes the tenant from the caller", async () => {
    const response = await fetch(
      `${stack.url}/usage.get?input=${encodeURIComponent(JSON.stringify({ tenant: "someone-else" }))}`,
      { headers: { "x-tenant": "other" } },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { data: { keelCode: "BAD_REQUEST" } } });
    const plain = await fetch(`${stack.url}/usage.get`, { headers: { "x-tenant": "other" } });
    expect(((await plain.json()) as { result: { data: { tenant: string } } }).result.data.tenant).toBe("default");
  });

  it("counts the requests and errors in the snapshot", async () => {
    const snapshot = await stack.client.metrics.snapshot.query();
    expect(Date.parse(snapshot.at)).toBeGreaterThan(0);
    const minute = snapshot.overall["1m"];
    expect(minute.requests).toBe(envelopes.length + failures);
    expect(minute.errors).toBe(failures);
    expect(minute.errorRate).toBeCloseTo(failures / (envelopes.length + failures), 6);
    expect(minute.latencyMs.p50).toBeGreaterThan(0);
    expect(minute.latencyMs.p99).toBeGreaterThanOrEqual(minute.latencyMs.p50 ?? 0);
    expect(minute.outputTokens).toBe(sum((generation) => generation.usage.completionTokens));
    expect(minute.costUsd).toBeCloseTo(
      sum((generation) => generation.costUsd),
      12,
    );
    expect(snapshot.overall["1h"].requests).toBe(minute.requests);
    expect(snapshot.tenants.default?.["1m"].requests).toBe(minute.requests);
    expect(Object.keys(snapshot.tenants)).toEqual(["default"]);
    // The caller's own figures per model add up to its total.
    expect(Object.keys(snapshot.models)).toContain("gpt-4o-mini");
    expect(Object.values(snapshot.models).reduce((total, stats) => total + stats["1m"].requests, 0)).toBe(
      minute.requests,
    );
    expect(snapshot.breakers).toBeTypeOf("object");
    expect(Array.isArray(snapshot.alerts)).toBe(true);
  });

  it("exposes gen_ai_* and keel_* metrics at /metrics", async () => {
    const response = await fetch(`${stack.host.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const name of [
      "gen_ai_client_operation_duration_seconds",
      "gen_ai_client_token_usage",
      "keel_requests_total",
      "keel_errors_total",
      "keel_cost_usd_total",
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}`, "m"));
    }
    expect(text).toMatch(/^keel_errors_total\{[^}]*code="UPSTREAM_UNAVAILABLE"[^}]*\} 2$/m);
  });

  it("answers the README's curl lines", async () => {
    const usage = await fetch(`${stack.url}/usage.get`);
    expect(usage.status).toBe(200);
    const snapshot = await fetch(`${stack.url}/metrics.snapshot`);
    expect(((await snapshot.json()) as { result: { data: { overall: unknown } } }).result.data.overall).toBeDefined();
    const wrongMethod = await post(`${stack.url}/usage.get`, "{}");
    expect(wrongMethod.status).toBe(405);
  });
});
