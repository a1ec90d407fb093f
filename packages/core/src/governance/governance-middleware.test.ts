import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError, type Principal, type StreamEvent } from "@keel/spec";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";

let simulator: SimulatorHandle;
const pipelines: Pipeline[] = [];
beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((pipeline) => pipeline.close()));
});

function pipelineWith(overrides: Partial<KeelConfigInput> = {}): Pipeline {
  const { models, ...rest } = overrides;
  const routes = {
    small: { targets: ["sim/gpt-4o-mini", "sim/gpt-4.1-mini"] },
    solo: { targets: ["sim/gpt-4o"] },
    ...models,
  };
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: routes,
      embeddingModels: { "text-embedding-3-small": "sim/text-embedding-3-small" },
      defaults: { policy: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, breaker: false } },
      // The simulator answers JSON when asked for json_schema; routes are judged by name otherwise.
      validation: { jsonSchemaRoutes: ["small", "auto"].filter((route) => route in routes) },
      telemetry: { log: { level: "silent" } },
      ...rest,
    }),
  );
  pipelines.push(pipeline);
  return pipeline;
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "small",
  messages: [{ role: "user" as const, content }],
  cache: { mode: "bypass" as const },
  ...extra,
});

const caller = (overrides: Partial<Principal> = {}): Principal => ({
  keyId: "abcdefghijk1",
  tenant: "acme",
  role: "caller",
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!KeelError.isInstance(error)) throw new Error(`expected a KeelError, got ${String(error)}`);
  return error;
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const calls = () => simulator.stats().totalCalls;

// Real limiter waits and several requests each: 5 s ran out on the busy shared machine (1.8 s alone).
describe("rate limits in the pipeline", { timeout: 20_000 }, () => {
  it("refuses a tenant's request past its requests-per-minute with RATE_LIMITED, retryAfterMs and OpenAI's headers, before any upstream call", async () => {
    const pipeline = pipelineWith({ tenants: { acme: { limits: { requestsPerMinute: 2 } } } });
    const headers: Record<string, string>[] = [];
    const options = {
      principal: caller(),
      setResponseHeaders: (sent: Readonly<Record<string, string>>) => void headers.push({ ...sent }),
    };
    await pipeline.generate(ask("one"), options);
    await pipeline.generate(ask("two"), options);
    expect(headers[1]).toMatchObject({ "x-ratelimit-limit-requests": "2", "x-ratelimit-remaining-requests": "0" });
    expect(headers[1]?.["x-ratelimit-reset-requests"]).toMatch(/^\d/);

    const refused = await failure(pipeline.generate(ask("three"), options));
    expect(refused.code).toBe("RATE_LIMITED");
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.details).toMatchObject({ scope: "tenant", kind: "requests", limit: 2 });
    expect(headers[2]).toMatchObject({ "x-ratelimit-remaining-requests": "0" });
    expect(Number(headers[2]?.["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(calls()).toBe(2);

    // Another tenant has its own budget of requests; a refusal is counted by telemetry.
    await pipeline.generate(ask("four"), { principal: caller({ tenant: "globex" }) });
    expect(calls()).toBe(3);
    const metrics = await pipeline.metricsText();
    expect(metrics).toMatch(/keel_rate_limited_total\{scope="tenant",kind="requests"\} 1/);
    expect(metrics).toMatch(/keel_errors_total\{code="RATE_LIMITED",operation="generate"\} 1/);
  });

  it("applies a key's own limits on top of its tenant's, and refuses a request larger than the tokens-per-minute limit for good", async () => {
    const pipeline = pipelineWith({ tenants: { acme: { limits: { requestsPerMinute: 100 } } } });
    const key = caller({ limits: { requestsPerMinute: 1, tokensPerMinute: 5_000 } });
    await pipeline.generate(ask("one", { maxTokens: 20 }), { principal: key });
    const second = await failure(pipeline.generate(ask("two", { maxTokens: 20 }), { principal: key }));
    expect(second.details).toMatchObject({ scope: "key", kind: "requests" });

    const huge = await failure(
      pipeline.generate(ask("big", { maxTokens: 9_000 }), {
        principal: caller({ keyId: "abcdefghijk2", limits: { tokensPerMinute: 5_000 } }),
      }),
    );
    expect(huge.code).toBe("RATE_LIMITED");
    expect(huge.retryable).toBe(false);
    expect(huge.details.reason).toBe("request-too-large");
    expect(calls()).toBe(1);
  });

  it("holds a concurrency slot until the stream ends, and frees it after", async () => {
    simulator.setRules([{ model: "gpt-4o-mini", latency: { ttftMs: 300 } }]);
    const pipeline = pipelineWith({ tenants: { acme: { limits: { concurrency: 1 } } } });
    const first = collect(pipeline.stream(ask("slow one"), { principal: caller() }));
    await simulator.waitFor((stats) => stats.inFlight === 1);
    const second = await collect(pipeline.stream(ask("second"), { principal: caller() }));
    expect(second).toEqual([{ type: "error", error: expect.objectContaining({ code: "RATE_LIMITED" }) }]);
    expect((await first).at(-1)?.type).toBe("done");
    const third = await collect(pipeline.stream(ask("third"), { principal: caller() }));
    expect(third.at(-1)?.type).toBe("done");
  });
});

describe("budgets in the pipeline", () => {
  it("reserves at the chain's worst price, settles at the actual cost, and refuses with BUDGET_EXCEEDED before any upstream call", async () => {
    // small = gpt-4o-mini then gpt-4.1-mini: a reservation is priced at gpt-4.1-mini's 0.4 / 1.6 USD per million.
    const pipeline = pipelineWith({ tenants: { acme: { budget: { dailyUsd: 0.0005 } } } });
    const spent: number[] = [];
    let refused: KeelError | undefined;
    for (let request = 0; request < 20 && !refused; request++) {
      const before = calls();
      try {
        spent.push(
          (await pipeline.generate(ask(`question ${request}`, { maxTokens: 100 }), { principal: caller() })).costUsd,
        );
      } catch (error) {
        refused = error as KeelError;
        expect(calls()).toBe(before);
      }
    }
    expect(refused?.code).toBe("BUDGET_EXCEEDED");
    expect(refused?.details).toMatchObject({ scope: "tenant", period: "day", limitMicroUsd: 500 });
    const status = await pipeline.governance.budgetStatus({ tenant: "acme" });
    const total = spent.reduce((sum, cost) => sum + cost, 0);
    expect(status.tenant.day.spentUsd).toBeCloseTo(total, 5);
    expect(status.tenant.day.reservedUsd).toBe(0);
    expect(status.tenant.day.limitUsd).toBe(0.0005);
    expect(status.tenant.day.spentUsd).toBeLessThanOrEqual(0.0005);
    // The refused reservation: what was left was less than one request's maximum.
    const maximum = (refused?.details.requestedMicroUsd as number) / 1e6;
    expect(status.tenant.day.remainingUsd).toBeLessThan(maximum);
  });

  it("charges every attempt of a structured call (the re-ask included) to the key's budget", async () => {
    simulator.setRules([{ model: "gpt-4o-mini", times: 1, reply: "this is not JSON" }]);
    const pipeline = pipelineWith();
    const key = caller({ budget: { dailyUsd: 1 } });
    const generation = await pipeline.structured(
      {
        ...ask("a city as JSON"),
        schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
      },
      { principal: key },
    );
    expect(generation.validation?.attempts).toBe(2);
    const status = await pipeline.governance.budgetStatus({ tenant: "acme", key });
    expect(status.key?.day.spentUsd).toBeCloseTo(generation.costUsd, 6);
    expect(status.key?.day.spentUsd).toBeGreaterThan(0);
    expect(status.tenant.day.spentUsd).toBeCloseTo(generation.costUsd, 6);
  });

  it("raises the 80 % and 100 % alerts through telemetry's alert channel, seen only in the budget's own tenant's snapshot", async () => {
    // One completion token reserved per request while answers run longer: estimates that fall
    // short let spend reach the limit (the bound is one request's excess), so both thresholds fire.
    const pipeline = pipelineWith({
      tenants: { acme: { budget: { dailyUsd: 0.0003 } } },
      governance: { defaultCompletionTokens: 1 },
    });
    for (let request = 0; request < 60; request++) {
      const ok = await pipeline.generate(ask(`spend ${request}`), { principal: caller() }).then(
        () => true,
        () => false,
      );
      if (!ok) break;
    }
    const alerts = pipeline.metricsSnapshot({ tenant: "acme" }).alerts.filter((alert) => alert.rule === "budget");
    expect(alerts.map((alert) => alert.threshold).sort()).toEqual([0.8, 1]);
    expect(alerts[0]).toMatchObject({ status: "firing", tenant: "acme" });
    expect(alerts.map((alert) => alert.message)).toContainEqual(
      expect.stringMatching(
        /^tenant "acme" reached 80% of its daily budget \(0\.\d\d of 0\.00 USD, \d{4}-\d\d-\d\d\)$/,
      ),
    );
    expect(pipeline.metricsSnapshot({ tenant: "globex" }).alerts.filter((alert) => alert.rule === "budget")).toEqual(
      [],
    );
    const metrics = await pipeline.metricsText();
    expect(metrics).toMatch(/keel_budget_thresholds_total\{scope="tenant",period="day",percent="80"\} 1/);
    expect(metrics).toMatch(/keel_budget_thresholds_total\{scope="tenant",period="day",percent="100"\} 1/);
  });
});

describe("allowed models", () => {
  it("refuses a model the key or the tenant may not call with FORBIDDEN, before any upstream call", async () => {
    const pipeline = pipelineWith({ tenants: { acme: { allowedModels: ["small", "text-embedding-3-small"] } } });
    const byTenant = await failure(pipeline.generate(ask("hi", { model: "solo" }), { principal: caller() }));
    expect(byTenant).toMatchObject({ code: "FORBIDDEN", details: { reason: "model-not-allowed", field: "model" } });
    const byKey = await failure(
      pipeline.embed(
        { model: "text-embedding-3-small", input: ["x"] },
        { principal: caller({ allowedModels: ["small"] }) },
      ),
    );
    expect(byKey.code).toBe("FORBIDDEN");
    const streamed = await collect(pipeline.stream(ask("hi", { model: "solo" }), { principal: caller() }));
    expect(streamed).toEqual([{ type: "error", error: expect.objectContaining({ code: "FORBIDDEN" }) }]);
    expect(calls()).toBe(0);
    await pipeline.generate(ask("hi"), { principal: caller({ allowedModels: ["*"] }) });
    expect(calls()).toBe(1);
  });
});

describe("prompt optimisation", () => {
  const tidy = {
    targets: ["sim/gpt-4o-mini"],
    optimisation: {
      compactWhitespace: true,
      dropDuplicateMessages: true,
      trimHistory: { maxTokens: 30, keepRecentTurns: 1 },
      maxPromptTokens: 200,
    },
  };

  it("reports the tokens saved and what was dropped in the envelope, sends the shorter prompt, and counts the savings", async () => {
    const pipeline = pipelineWith({ models: { tidy } });
    const old = "Tell me about the history of the lighthouse on the northern cape, in detail please.";
    const generation = await pipeline.generate({
      model: "tidy",
      cache: { mode: "bypass" },
      messages: [
        { role: "system", content: "You are   terse." },
        { role: "user", content: old },
        { role: "assistant", content: "It was built long ago and has a long, long story with many turns." },
        { role: "user", content: "And    the   keeper?" },
        { role: "user", content: "And    the   keeper?" },
      ],
    });
    expect(generation.usage.promptTokensSaved).toBeGreaterThan(0);
    expect(generation.optimisation?.transforms.map((entry) => entry.transform)).toEqual([
      "drop-duplicate-messages",
      "compact-whitespace",
      "trim-history",
    ]);
    // Each dropped message by its place in the caller's list, with why and its size.
    expect(generation.optimisation?.dropped).toEqual([
      { index: 1, role: "user", reason: "history", tokens: expect.any(Number) },
      { index: 2, role: "assistant", reason: "history", tokens: expect.any(Number) },
      { index: 3, role: "user", reason: "duplicate", tokens: expect.any(Number) },
    ]);
    // What the upstream was sent: the system message and the last question, compacted.
    const sent = await pipeline.generate({
      model: "small",
      cache: { mode: "bypass" },
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "And the keeper?" },
      ],
    });
    expect(generation.usage.promptTokens).toBe(sent.usage.promptTokens);
    expect(await pipeline.metricsText()).toMatch(
      /keel_prompt_tokens_saved_total\{route="tidy",transform="compact-whitespace"\} [1-9]/,
    );
  });

  it("refuses a prompt still above maxPromptTokens with BAD_REQUEST before any upstream call", async () => {
    const pipeline = pipelineWith({ models: { tidy } });
    const error = await failure(
      pipeline.generate({ model: "tidy", messages: [{ role: "user", content: "word ".repeat(400) }] }),
    );
    expect(error).toMatchObject({ code: "BAD_REQUEST", details: { reason: "prompt-too-long", maxPromptTokens: 200 } });
    expect(calls()).toBe(0);
  });
});

describe("model selection", () => {
  const auto = {
    targets: ["sim/gpt-4o"],
    selection: {
      rules: [
        { name: "extract", when: { tasks: ["extract"] }, targets: ["sim/gpt-4.1"] },
        { name: "short", when: { maxPromptTokens: 1_000 }, targets: ["sim/gpt-4.1-mini", "sim/gpt-4o-mini"] },
      ],
      escalation: "sim/gpt-4o",
    },
  };
  // gpt-4o-mini holds 200 tokens here, so a 150-token prompt with 100 to answer goes to gpt-4.1-mini.
  const contextWindows = { "gpt-4o-mini": 200 };

  it("chooses the cheapest target that fits by the first rule that applies, and says so in the envelope and metrics", async () => {
    const pipeline = pipelineWith({ models: { auto }, contextWindows });
    const short = await pipeline.generate(ask("Hi there", { model: "auto", maxTokens: 50 }));
    expect(short.selection).toEqual({ rule: "short", target: "sim/gpt-4o-mini" });
    expect(short.model).toBe("gpt-4o-mini");

    const roomy = await pipeline.generate(ask("word ".repeat(150), { model: "auto", maxTokens: 100 }));
    expect(roomy.selection).toEqual({ rule: "short", target: "sim/gpt-4.1-mini" });
    expect(roomy.model).toBe("gpt-4.1-mini");

    const tagged = await pipeline.generate(ask("Pull out the dates", { model: "auto", task: "extract" }));
    expect(tagged.selection).toEqual({ rule: "extract", target: "sim/gpt-4.1" });

    const long = await pipeline.generate(ask("word ".repeat(1_200), { model: "auto", maxTokens: 10 }));
    expect(long.selection).toEqual({ rule: "default", target: "sim/gpt-4o" });
    expect(simulator.stats().calls).toEqual({ "gpt-4o-mini": 1, "gpt-4.1-mini": 1, "gpt-4.1": 1, "gpt-4o": 1 });

    const metrics = await pipeline.metricsText();
    expect(metrics).toMatch(/keel_model_selections_total\{route="auto",rule="short",target="sim\/gpt-4o-mini"\} 1/);
    expect(metrics).toMatch(/keel_model_selections_total\{route="auto",rule="default",target="sim\/gpt-4o"\} 1/);
  });

  it("never sends a prompt to a model whose context it exceeds: BAD_REQUEST when none has room", async () => {
    const pipeline = pipelineWith({
      models: { auto },
      contextWindows: { "gpt-4o-mini": 100, "gpt-4.1-mini": 100, "gpt-4.1": 100, "gpt-4o": 100 },
    });
    const error = await failure(pipeline.generate(ask("word ".repeat(150), { model: "auto" })));
    expect(error).toMatchObject({ code: "BAD_REQUEST", details: { reason: "context-length", field: "messages" } });
    expect(calls()).toBe(0);
  });

  it("retries once on the route's stronger target when the structured answer fails validation", async () => {
    simulator.setRules([{ model: "gpt-4o-mini", reply: "no JSON here" }]);
    const pipeline = pipelineWith({ models: { auto }, contextWindows });
    const generation = await pipeline.structured({
      ...ask("A greeting as JSON", { model: "auto", maxTokens: 50 }),
      schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
      maxAttempts: 2,
    });
    expect(generation.selection).toEqual({
      rule: "short",
      target: "sim/gpt-4o-mini",
      escalated: { from: "sim/gpt-4o-mini", to: "sim/gpt-4o", reason: "validation" },
    });
    expect(generation.model).toBe("gpt-4o");
    expect(generation.validation?.valid).toBe(true);
    expect(simulator.stats().calls).toEqual({ "gpt-4o-mini": 2, "gpt-4o": 1 });
    expect(await pipeline.metricsText()).toMatch(/keel_model_escalations_total\{route="auto",reason="validation"\} 1/);
  });
});

describe("classify", () => {
  const labels = [
    { label: "billing", examples: ["refund my invoice", "I was charged twice on my card"] },
    { label: "shipping", examples: ["where is my parcel", "the delivery is late"] },
  ];

  it("labels each text with its score and runner-up, from one embeddings call whose examples are cached after", async () => {
    const pipeline = pipelineWith();
    const first = await pipeline.classify(
      { model: "text-embedding-3-small", texts: ["please refund the invoice", "my parcel delivery is late"], labels },
      { tenant: "acme" },
    );
    expect(first.results.map((result) => result.label)).toEqual(["billing", "shipping"]);
    expect(first.results[0]?.runnerUp?.label).toBe("shipping");
    expect(first.results[0]?.margin).toBeGreaterThan(0);
    expect(first.costUsd).toBeGreaterThan(0);
    expect(simulator.stats().calls).toEqual({ "text-embedding-3-small": 1 });

    const again = await pipeline.classify(
      { model: "text-embedding-3-small", texts: ["where is my parcel now"], labels },
      { tenant: "acme" },
    );
    expect(again.results[0]?.label).toBe("shipping");
    // Only the new text went upstream: the examples came from the tenant's embedding cache.
    expect(again.usage.promptTokens).toBeLessThan(first.usage.promptTokens);
    expect(simulator.stats().calls).toEqual({ "text-embedding-3-small": 2 });
  });

  it("uses a named label set from the config, and names an unknown one with a hint", async () => {
    const pipeline = pipelineWith({
      labelSets: {
        support: {
          model: "text-embedding-3-small",
          labels: { billing: ["refund my invoice"], shipping: ["where is my parcel"] },
        },
      },
    });
    const result = await pipeline.classify({ texts: ["invoice refund"], labelSet: "support" });
    expect(result.results[0]?.label).toBe("billing");
    const unknown = await failure(pipeline.classify({ texts: ["x"], labelSet: "suport" }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.message).toMatch(/unknown label set "suport".*did you mean "support"/);
    const both = await failure(
      pipeline.classify({ model: "text-embedding-3-small", texts: ["x"], labelSet: "support", labels }),
    );
    expect(both.details.field).toBe("labelSet");
  });
});
