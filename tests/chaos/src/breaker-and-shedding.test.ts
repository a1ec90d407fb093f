import { describe, expect, it } from "vitest";
import { chat, PRIMARY, PRIMARY_MODEL, SECONDARY, SECONDARY_MODEL } from "./test-support/chaos-config.ts";
import { startChaos } from "./test-support/chaos-stack.ts";
import { envelopeOf, errorOf, sleep } from "./test-support/outcomes.ts";
import { SERVICE_KINDS } from "./test-support/service-adapter.ts";

// Long enough that a loaded machine cannot let the breaker half-open between two checks of the open state.
const RESET_MS = 1_500;

async function readiness(
  url: string,
): Promise<{ status: number; body: { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> } }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as never };
}

describe.each(SERVICE_KINDS)("circuit breaker and load shedding through %s", (kind) => {
  it("opens after its threshold, fails fast with no upstream call, half-opens after resetTimeoutMs and closes on success", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, times: 3, fault: { type: "status", status: 500 } }],
      config: {
        policy: {
          retry: false,
          breaker: {
            errorThresholdPercentage: 50,
            volumeThreshold: 3,
            resetTimeoutMs: RESET_MS,
            rollingWindowMs: 10_000,
          },
        },
      },
    });
    const solo = (content: string) => stack.service.generate(chat(content, { model: "solo" }));

    for (let call = 1; call <= 3; call++)
      expect(errorOf(await solo(`failing ${call}`)).code).toBe("UPSTREAM_UNAVAILABLE");
    expect(stack.calls(PRIMARY_MODEL)).toBe(3);

    // Open: typed CIRCUIT_OPEN at once, and the target sees nothing.
    const rejected = await solo("while open");
    expect(errorOf(rejected).code).toBe("CIRCUIT_OPEN");
    expect(rejected.elapsedMs).toBeLessThan(500);
    expect(stack.calls(PRIMARY_MODEL)).toBe(3);
    // The multi-target route shares the target's breaker: it skips straight to the next one.
    const skipped = envelopeOf(await stack.service.generate(chat("while open, with a fallback")));
    expect(skipped.fallback).toMatchObject({
      answeredBy: SECONDARY,
      failed: [{ target: PRIMARY, code: "CIRCUIT_OPEN" }],
    });
    expect(skipped.attempts).toBe(1);
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([3, 1]);
    const whileOpen = await readiness(stack.host.url);
    expect(whileOpen.status).toBe(503);
    expect(whileOpen.body.checks["route:solo"]).toMatchObject({ ok: false, detail: expect.stringContaining(PRIMARY) });

    // Half-open after the reset timeout: one probe goes through; it succeeds, so the breaker closes.
    await sleep(RESET_MS + 100);
    expect(envelopeOf(await solo("probe")).fallback.answeredBy).toBe(PRIMARY);
    expect(stack.calls(PRIMARY_MODEL)).toBe(4);
    const closed = await readiness(stack.host.url);
    expect(closed.status).toBe(200);
    expect(closed.body.checks["route:solo"]).toEqual({ ok: true });
    expect(envelopeOf(await solo("closed again")).attempts).toBe(1);
    expect(stack.calls(PRIMARY_MODEL)).toBe(5);
  });

  it("a half-open probe that fails opens the breaker again", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, fault: { type: "status", status: 503 } }],
      config: {
        policy: {
          retry: false,
          breaker: { errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeoutMs: RESET_MS },
        },
      },
    });
    const solo = (content: string) => stack.service.generate(chat(content, { model: "solo" }));
    await solo("one");
    await solo("two");
    expect(errorOf(await solo("open")).code).toBe("CIRCUIT_OPEN");
    await sleep(RESET_MS + 100);
    expect(errorOf(await solo("probe")).code).toBe("UPSTREAM_UNAVAILABLE");
    expect(stack.calls(PRIMARY_MODEL)).toBe(3);
    expect(errorOf(await solo("open again")).code).toBe("CIRCUIT_OPEN");
    expect(stack.calls(PRIMARY_MODEL)).toBe(3);
  });

  it("a full concurrency queue rejects at once with UPSTREAM_UNAVAILABLE reason load-shed", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, promptIncludes: "slow", latency: { ttftMs: 1_000 } }],
      config: { targetPolicies: { [PRIMARY]: { concurrency: { maxConcurrent: 1, maxQueue: 1 } } } },
    });
    const solo = (content: string) => stack.service.generate(chat(content, { model: "solo" }));
    const holding = solo("slow one");
    await stack.simulator.waitFor((current) => current.inFlight === 1, 3_000);
    const queued = solo("slow two (queued)");
    // Give the queued request time to reach the limiter before the third arrives.
    await sleep(300);
    const shed = await solo("shed");
    const error = errorOf(shed);
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: false, details: { reason: "load-shed" } });
    expect(shed.elapsedMs).toBeLessThan(500);
    // Only the holder has reached the upstream; the shed request never will.
    expect(stack.calls(PRIMARY_MODEL)).toBe(1);
    expect(envelopeOf(await holding).attempts).toBe(1);
    expect(envelopeOf(await queued).attempts).toBe(1);
    expect(stack.calls(PRIMARY_MODEL)).toBe(2);
  });
});
