import type { KeelEvent } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { createResilience, type Resilience, type TargetPolicy } from "./index.ts";
import {
  collect,
  failingStream,
  failureOf,
  generation,
  request,
  scriptedModel,
  testContext,
  upstream,
  waitOrAbort,
} from "./test-support/scripted-model.ts";

let resilience: Resilience;
afterEach(() => resilience?.close());

const policy: TargetPolicy = {
  retry: false,
  breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 60 },
};

function setUp(script: (number: number) => ReturnType<typeof generation> | Promise<never>) {
  const pipelineEvents: KeelEvent[] = [];
  resilience = createResilience({ events: { emit: (event) => pipelineEvents.push(event) } });
  const model = scriptedModel({ generate: ({ number }) => script(number) });
  const target = resilience.target({ name: "sim/a", model, policy });
  const run = async () => {
    const context = testContext();
    try {
      return await target.generate(request, context.ctx).then(
        (value) => ({ value, error: undefined, events: context.events }),
        (error: unknown) => ({ value: undefined, error: error as Error & { code?: string }, events: context.events }),
      );
    } finally {
      context.dispose();
    }
  };
  return { model, run, pipelineEvents };
}

describe("circuit breaker", () => {
  it("stays closed below the volume threshold, then opens and fails fast with no upstream call", async () => {
    const { model, run, pipelineEvents } = setUp(() => Promise.reject(upstream(503)));
    for (let index = 0; index < 3; index += 1) await run();
    expect(resilience.breakerStates()).toEqual({ "sim/a": "closed" });
    await run();
    expect(resilience.breakerStates()).toEqual({ "sim/a": "open" });
    expect(pipelineEvents).toContainEqual({ type: "circuit-open", target: "sim/a" });

    const rejected = await run();
    expect(model.calls).toHaveLength(4);
    expect(rejected.error?.code).toBe("CIRCUIT_OPEN");
    expect(rejected.events).toContainEqual({ type: "circuit-rejected", target: "sim/a" });
  });

  it("ends retries at once when open", async () => {
    const { run } = setUp(() => Promise.reject(upstream(503)));
    for (let index = 0; index < 4; index += 1) await run();
    const model = scriptedModel({ generate: () => generation("never") });
    const retrying = resilience.target({ name: "sim/a", model, policy: { ...policy, retry: { baseDelayMs: 1 } } });
    const context = testContext();
    const error = await failureOf(retrying.generate(request, context.ctx));
    context.dispose();
    expect(error.code).toBe("CIRCUIT_OPEN");
    expect(error.retryable).toBe(false);
    expect(error.details.attempts).toBe(0);
    expect(model.calls).toHaveLength(0);
    expect(context.events.filter((event) => event.type === "retry-attempt")).toHaveLength(0);
  });

  it("half-opens after resetTimeoutMs and closes when the probe succeeds", async () => {
    let healthy = false;
    const { model, run, pipelineEvents } = setUp(() => (healthy ? generation("back") : Promise.reject(upstream(500))));
    for (let index = 0; index < 4; index += 1) await run();
    expect(resilience.breakerStates()["sim/a"]).toBe("open");
    await waitOrAbort(100);
    expect(resilience.breakerStates()["sim/a"]).toBe("half-open");
    healthy = true;
    const probe = await run();
    expect(probe.value?.content).toBe("back");
    expect(model.calls).toHaveLength(5);
    expect(resilience.breakerStates()["sim/a"]).toBe("closed");
    expect(pipelineEvents.map((event) => event.type)).toEqual(["circuit-open", "circuit-half-open", "circuit-close"]);
  });

  it("reopens when the half-open probe fails", async () => {
    const { run } = setUp(() => Promise.reject(upstream(503)));
    for (let index = 0; index < 4; index += 1) await run();
    await waitOrAbort(100);
    await run();
    expect(resilience.breakerStates()["sim/a"]).toBe("open");
  });

  it("is not opened by 400s, which say nothing about the target's health", async () => {
    const { model, run } = setUp(() => Promise.reject(upstream(400)));
    for (let index = 0; index < 10; index += 1) expect((await run()).error?.code).toBe("BAD_REQUEST");
    expect(model.calls).toHaveLength(10);
    expect(resilience.breakerStates()["sim/a"]).toBe("closed");
  });

  it("counts attempt timeouts", async () => {
    resilience = createResilience();
    const model = scriptedModel({ generate: () => new Promise(() => {}) });
    const target = resilience.target({ name: "sim/slow", model, policy: { ...policy, timeout: { attemptMs: 10 } } });
    for (let index = 0; index < 4; index += 1) {
      const context = testContext();
      expect((await failureOf(target.generate(request, context.ctx))).code).toBe("UPSTREAM_TIMEOUT");
      context.dispose();
    }
    expect(resilience.breakerStates()["sim/slow"]).toBe("open");
  });

  it("is shared by every request to a target name", () => {
    resilience = createResilience();
    const model = scriptedModel({});
    expect(resilience.target({ name: "sim/a", model })).toBe(resilience.target({ name: "sim/a", model }));
    resilience.target({ name: "sim/b", model, policy: { breaker: false } });
    expect(Object.keys(resilience.breakerStates())).toEqual(["sim/a"]);
  });

  it("counts the outcome of a stream's start", async () => {
    resilience = createResilience();
    const model = scriptedModel({
      stream: () => failingStream(() => upstream(503)),
    });
    const target = resilience.target({ name: "sim/stream", model, policy });
    for (let index = 0; index < 4; index += 1) {
      const context = testContext();
      expect((await failureOf(collect(target.stream(request, context.ctx)))).status).toBe(503);
      context.dispose();
    }
    expect(resilience.breakerStates()["sim/stream"]).toBe("open");
    const context = testContext();
    expect((await failureOf(collect(target.stream(request, context.ctx)))).code).toBe("CIRCUIT_OPEN");
    context.dispose();
    expect(model.calls).toHaveLength(4);
  });
});
