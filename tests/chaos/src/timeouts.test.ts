import { describe, expect, it } from "vitest";
import { chat, PRIMARY, PRIMARY_MODEL, SECONDARY, SECONDARY_MODEL } from "./test-support/chaos-config.ts";
import { startChaos } from "./test-support/chaos-stack.ts";
import { envelopeOf, errorOf } from "./test-support/outcomes.ts";
import { SERVICE_KINDS } from "./test-support/service-adapter.ts";

const ATTEMPT_MS = 300;

describe.each(SERVICE_KINDS)("timeouts and deadlines through %s", (kind) => {
  it("a hung upstream times out per attempt, is retried, then the next target answers", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, fault: { type: "hang" } }],
      config: { policy: { timeout: { attemptMs: ATTEMPT_MS } } },
    });
    const outcome = await stack.service.generate(chat("hang"));
    const envelope = envelopeOf(outcome);
    expect(envelope.model).toBe(SECONDARY_MODEL);
    expect(envelope.attempts).toBe(3);
    expect(envelope.fallback).toMatchObject({
      answeredBy: SECONDARY,
      failed: [{ target: PRIMARY, code: "UPSTREAM_TIMEOUT" }],
    });
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([2, 1]);
    // Two timed-out attempts, then one quick answer.
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(2 * ATTEMPT_MS - 20);
    expect(outcome.elapsedMs).toBeLessThan(2 * ATTEMPT_MS + 2_500);
    // The hung calls were abandoned, not left open upstream.
    const stats = await stack.simulator.waitFor((current) => current.inFlight === 0, 3_000);
    expect(stats.clientAborts).toBe(2);
  });

  it("a trickling body slower than the attempt timeout fails over the same way", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, fault: { type: "trickle", chunkDelayMs: 2_000 } }],
      config: { policy: { retry: false, timeout: { attemptMs: ATTEMPT_MS } } },
    });
    const outcome = await stack.service.generate(chat("trickle"));
    const envelope = envelopeOf(outcome);
    expect(envelope.fallback).toMatchObject({
      answeredBy: SECONDARY,
      failed: [{ target: PRIMARY, code: "UPSTREAM_TIMEOUT" }],
    });
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([1, 1]);
    expect(outcome.elapsedMs).toBeLessThan(ATTEMPT_MS + 2_000);
  });

  it("the route's timeoutMs bounds the whole request across retries and fallbacks", async () => {
    // Without the deadline: 2 targets x 2 attempts x 600 ms = 2.4 s of hanging.
    const stack = await startChaos(kind, {
      rules: [{ fault: { type: "hang" } }],
      config: { policy: { timeout: { attemptMs: 600 } }, routes: { chat: { timeoutMs: 800 } } },
    });
    const outcome = await stack.service.generate(chat("deadline"));
    const error = errorOf(outcome);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.details.reason).toBe("deadline");
    expect(error.retryable).toBe(false);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(780);
    expect(outcome.elapsedMs).toBeLessThan(800 + 1_500);
    const stats = await stack.simulator.waitFor((current) => current.inFlight === 0, 3_000);
    // One attempt timed out at 600 ms and the retry was cut at 800 ms; never the whole chain.
    expect(stats.totalCalls).toBeGreaterThanOrEqual(1);
    expect(stats.totalCalls).toBeLessThanOrEqual(2);
    expect(stack.calls(SECONDARY_MODEL)).toBe(0);
  });

  it("the deadline also ends a hung stream with a typed error event", async () => {
    const stack = await startChaos(kind, {
      rules: [{ fault: { type: "hang" } }],
      config: { policy: { timeout: { attemptMs: 600 } }, routes: { chat: { timeoutMs: 800 } } },
    });
    const outcome = await stack.service.stream(chat("deadline stream"));
    expect(outcome.ended).toBe("complete");
    expect(outcome.events).toHaveLength(1);
    expect(outcome.events[0]).toMatchObject({
      type: "error",
      error: { code: "UPSTREAM_TIMEOUT", details: { reason: "deadline" } },
    });
    expect(outcome.elapsedMs).toBeLessThan(800 + 1_500);
    await stack.simulator.waitFor((current) => current.inFlight === 0, 3_000);
  });

  it("serves the route's static fallback when every target fails, reporting each failure", async () => {
    const stack = await startChaos(kind, {
      rules: [{ fault: { type: "status", status: 500 } }],
      config: { routes: { chat: { staticFallback: "We are busy; please try again in a minute." } } },
    });
    const envelope = envelopeOf(await stack.service.generate(chat("everything is down")));
    expect(envelope).toMatchObject({
      content: "We are busy; please try again in a minute.",
      provider: "static",
      attempts: 4,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      costUsd: 0,
      fallback: {
        answeredBy: null,
        degraded: "static",
        failed: [
          { target: PRIMARY, code: "UPSTREAM_UNAVAILABLE" },
          { target: SECONDARY, code: "UPSTREAM_UNAVAILABLE" },
        ],
      },
    });
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([2, 2]);

    const streamed = await stack.service.stream(chat("everything is still down"));
    expect(streamed.events.map((event) => event.type)).toEqual(["delta", "done"]);
    expect(streamed.events[0]).toEqual({ type: "delta", content: "We are busy; please try again in a minute." });
    expect(streamed.events[1]).toMatchObject({
      type: "done",
      generation: { provider: "static", fallback: { degraded: "static", answeredBy: null } },
    });
  });

  it("without a static fallback, every target failing is the last upstream error, typed", async () => {
    const stack = await startChaos(kind, { rules: [{ fault: { type: "status", status: 502 } }] });
    const error = errorOf(await stack.service.generate(chat("everything is down")));
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.details.attempts).toBe(4);
    expect(error.details.fallback).toMatchObject([{ target: PRIMARY }, { target: SECONDARY }]);
  });
});
