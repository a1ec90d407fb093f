import { describe, expect, it } from "vitest";
import { chat, PRIMARY, PRIMARY_MODEL, SECONDARY, SECONDARY_MODEL } from "./test-support/chaos-config.ts";
import { startChaos } from "./test-support/chaos-stack.ts";
import { envelopeOf, errorOf } from "./test-support/outcomes.ts";
import { SERVICE_KINDS } from "./test-support/service-adapter.ts";

describe.each(SERVICE_KINDS)("upstream errors through %s", (kind) => {
  it("a burst of 500s is retried on the same target and the request recovers", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, times: 2, fault: { type: "status", status: 500 } }],
      config: { policy: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40, budget: false } } },
    });
    const outcome = await stack.service.generate(chat("burst"));
    const envelope = envelopeOf(outcome);
    expect(envelope).toMatchObject({
      provider: "sim",
      model: PRIMARY_MODEL,
      attempts: 3,
      fallback: { failed: [], answeredBy: PRIMARY },
    });
    expect(envelope.content.length).toBeGreaterThan(0);
    expect(stack.calls(PRIMARY_MODEL)).toBe(3);
    expect(stack.calls(SECONDARY_MODEL)).toBe(0);
    expect(outcome.elapsedMs).toBeLessThan(3_000);

    // Recovered: the rule is used up, the next request is a single call.
    expect(envelopeOf(await stack.service.generate(chat("after the burst"))).attempts).toBe(1);
    expect(stack.calls(PRIMARY_MODEL)).toBe(4);
  });

  it("a burst longer than the retries moves on to the next target, which the envelope reports", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, times: 5, fault: { type: "status", status: 503 } }],
    });
    const envelope = envelopeOf(await stack.service.generate(chat("long burst")));
    expect(envelope.model).toBe(SECONDARY_MODEL);
    expect(envelope.attempts).toBe(3);
    expect(envelope.fallback.answeredBy).toBe(SECONDARY);
    expect(envelope.fallback.failed).toEqual([
      { target: PRIMARY, code: "UPSTREAM_UNAVAILABLE", message: expect.any(String) },
    ]);
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([2, 1]);
  });

  it("a reset connection is retried, then fails over when it keeps happening", async () => {
    const stack = await startChaos(kind, { rules: [{ model: PRIMARY_MODEL, times: 1, fault: { type: "reset" } }] });
    const once = envelopeOf(await stack.service.generate(chat("reset once")));
    expect(once).toMatchObject({ attempts: 2, fallback: { failed: [], answeredBy: PRIMARY } });
    expect(stack.calls(PRIMARY_MODEL)).toBe(2);

    stack.simulator.reset();
    stack.simulator.setRules([{ model: PRIMARY_MODEL, fault: { type: "reset" } }]);
    const always = envelopeOf(await stack.service.generate(chat("reset always")));
    expect(always.fallback).toMatchObject({
      answeredBy: SECONDARY,
      failed: [{ target: PRIMARY, code: "UPSTREAM_UNAVAILABLE" }],
    });
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([2, 1]);
    expect(always.attempts).toBe(3);
  });

  it("a malformed body (200, cut off mid-JSON) counts as a failed attempt and is retried", async () => {
    const stack = await startChaos(kind, { rules: [{ model: PRIMARY_MODEL, times: 1, fault: { type: "malformed" } }] });
    const envelope = envelopeOf(await stack.service.generate(chat("malformed")));
    expect(envelope).toMatchObject({ attempts: 2, fallback: { failed: [], answeredBy: PRIMARY } });
    expect(stack.calls(PRIMARY_MODEL)).toBe(2);
  });

  it("an upstream's error text never reaches the caller, answered or streamed: Keel's words and the status", async () => {
    // A 500 whose body names a password and an internal host came back verbatim over tRPC, GraphQL and SSE.
    const leak = "internal: db password=hunter2 at 10.0.0.5";
    const stack = await startChaos(kind, { rules: [{ fault: { type: "status", status: 500, message: leak } }] });
    const outcome = await stack.service.generate(chat("leak"));
    const error = errorOf(outcome);
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", retryable: true });
    expect(error.message).toBe(`${SECONDARY}: the upstream failed (500)`);
    expect(error.details.fallback).toEqual([
      { target: PRIMARY, code: "UPSTREAM_UNAVAILABLE", message: `${PRIMARY}: the upstream failed (500)` },
      { target: SECONDARY, code: "UPSTREAM_UNAVAILABLE", message: `${SECONDARY}: the upstream failed (500)` },
    ]);
    const streamed = await stack.service.stream(chat("leak, streamed"));
    const last = streamed.events.at(-1);
    expect(last?.type === "error" ? last.error.message : last).toBe(`${SECONDARY}: the upstream failed (500)`);
    expect(JSON.stringify([outcome, streamed])).not.toMatch(/hunter2|password|10\.0\.0\.5|internal:/);
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([4, 4]);
  });

  it("a non-retryable 400 is neither retried nor failed over", async () => {
    const stack = await startChaos(kind, {
      rules: [{ model: PRIMARY_MODEL, fault: { type: "status", status: 400, message: "bad thing" } }],
    });
    const outcome = await stack.service.generate(chat("refused"));
    expect(outcome.kind).toBe("error");
    if (outcome.kind !== "error") return;
    expect(outcome.error.code).toBe("BAD_REQUEST");
    expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([1, 0]);
  });
});
