import { describe, expect, it } from "vitest";
import type { SimulatorFault } from "@keel/simulator";
import { chat, PRIMARY, PRIMARY_MODEL, SECONDARY, SECONDARY_MODEL } from "./test-support/chaos-config.ts";
import { startChaos } from "./test-support/chaos-stack.ts";
import { envelopeOf } from "./test-support/outcomes.ts";
import { SERVICE_KINDS } from "./test-support/service-adapter.ts";

/**
 * Each Retry-After form the simulator sends, with the shortest wait it guarantees:
 * an HTTP-date has whole-second resolution, so "now + 2 s" may be only just over 1 s away.
 */
const RETRY_AFTER_FORMS: Array<{ form: string; fault: SimulatorFault; atLeastMs: number }> = [
  { form: "Retry-After seconds", fault: { type: "status", status: 429, retryAfterSeconds: 1 }, atLeastMs: 950 },
  {
    form: "Retry-After HTTP-date",
    fault: { type: "status", status: 429, retryAfterSeconds: 2, retryAfterDate: true },
    atLeastMs: 950,
  },
  { form: "retry-after-ms", fault: { type: "status", status: 429, retryAfterMs: 400 }, atLeastMs: 380 },
];

describe.each(SERVICE_KINDS)("429 with Retry-After through %s", (kind) => {
  describe.each(RETRY_AFTER_FORMS)("$form", ({ fault, atLeastMs }) => {
    it("with rateLimited: retry-then-next, retries the same target after at least the advertised delay", async () => {
      const stack = await startChaos(kind, {
        rules: [{ model: PRIMARY_MODEL, times: 1, fault }],
        config: { fallbackRules: { rateLimited: "retry-then-next" } },
      });
      const outcome = await stack.service.generate(chat("rate limited"));
      const envelope = envelopeOf(outcome);
      expect(envelope).toMatchObject({
        model: PRIMARY_MODEL,
        attempts: 2,
        fallback: { failed: [], answeredBy: PRIMARY },
      });
      expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([2, 0]);
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(atLeastMs);
      expect(outcome.elapsedMs).toBeLessThan(atLeastMs + 3_000);
    });

    it("with the default rateLimited: next, moves to the next target at once without waiting", async () => {
      // A long advertised wait: the next target must not wait for it.
      const longWait: SimulatorFault = {
        ...fault,
        ...("retryAfterMs" in fault ? { retryAfterMs: 5_000 } : { retryAfterSeconds: 5 }),
      };
      const stack = await startChaos(kind, { rules: [{ model: PRIMARY_MODEL, fault: longWait }] });
      const outcome = await stack.service.generate(chat("rate limited"));
      const envelope = envelopeOf(outcome);
      expect(envelope.model).toBe(SECONDARY_MODEL);
      expect(envelope.attempts).toBe(2);
      expect(envelope.fallback).toMatchObject({
        answeredBy: SECONDARY,
        failed: [{ target: PRIMARY, code: "UPSTREAM_RATE_LIMITED" }],
      });
      expect([stack.calls(PRIMARY_MODEL), stack.calls(SECONDARY_MODEL)]).toEqual([1, 1]);
      expect(outcome.elapsedMs).toBeLessThan(1_500);
    });
  });
});
