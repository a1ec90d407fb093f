import { KeelError } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import type { Admission, RateLimiter, RateLimiterOptions } from "../limits/rate-limit-types.ts";
import type { GovernanceEvent } from "../shared/events.ts";
import { sleepMs } from "./temporary-directory.ts";

/** Opens limiters on one shared state: two calls in one scope are two instances counting together. */
export type OpenLimiter = (options?: RateLimiterOptions) => RateLimiter;

function refused(admission: Admission): KeelError {
  if (admission.admitted) throw new Error("expected a refusal, the request was admitted");
  return admission.error;
}

/** The behaviour both limiters have (memory: one process; Redis: any number of instances). */
export function describeRateLimiterContract(name: string, newScope: () => OpenLimiter): void {
  describe(`rate limiter contract: ${name}`, () => {
    const opened: RateLimiter[] = [];
    const scope = () => {
      const open = newScope();
      return (options?: RateLimiterOptions) => {
        const limiter = open(options);
        opened.push(limiter);
        return limiter;
      };
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((limiter) => limiter.close()));
    });

    it("admits exactly the limit out of a concurrent burst from two instances", async () => {
      const events: GovernanceEvent[] = [];
      const open = scope();
      const instances = [open({ onEvent: (event) => events.push(event) }), open()];
      const admissions = await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          instances[index % 2]!.admit({
            tenant: "acme",
            key: { id: "key-a", limits: { requestsPerMinute: 10 } },
            tokens: 0,
          }),
        ),
      );
      expect(admissions.filter((admission) => admission.admitted)).toHaveLength(10);
      for (const admission of admissions.filter((candidate) => !candidate.admitted)) {
        const error = refused(admission);
        expect(error.code).toBe("RATE_LIMITED");
        expect(error.details).toMatchObject({ scope: "key", kind: "requests", limit: 10 });
        expect(error.retryAfterMs).toBeGreaterThan(5_000);
        expect(error.retryAfterMs).toBeLessThanOrEqual(6_000);
        expect(error.retryable).toBe(true);
        expect(admission.headers).toMatchObject({
          "x-ratelimit-limit-requests": "10",
          "x-ratelimit-remaining-requests": "0",
          "retry-after": "6",
        });
      }
      expect(events.filter((event) => event.type === "rate-limited").length).toBeGreaterThan(0);
      expect(
        events.every((event) => event.type !== "rate-limited" || (event.scope === "key" && event.kind === "requests")),
      ).toBe(true);
    });

    it("sends OpenAI's headers: the limit, what is left and when the bucket is full again", async () => {
      const limiter = scope()();
      const admission = await limiter.admit({
        tenant: "acme",
        tenantLimits: { requestsPerMinute: 10, tokensPerMinute: 6_000 },
        tokens: 1_500,
      });
      expect(admission.admitted).toBe(true);
      expect(admission.headers).toEqual({
        "x-ratelimit-limit-requests": "10",
        "x-ratelimit-remaining-requests": "9",
        "x-ratelimit-reset-requests": expect.stringMatching(/^(6s|5\.\d+s)$/),
        "x-ratelimit-limit-tokens": "6000",
        "x-ratelimit-remaining-tokens": "4500",
        "x-ratelimit-reset-tokens": expect.stringMatching(/^(15s|14\.\d+s)$/),
      });
      expect(admission.scopes).toEqual([
        {
          scope: "tenant",
          requests: { limit: 10, remaining: 9, resetMs: expect.any(Number) },
          tokens: { limit: 6_000, remaining: 4_500, resetMs: expect.any(Number) },
        },
      ]);
    });

    it("refills: after one period the whole limit is admitted again, and no more", async () => {
      // 5 per second: one more unit every 200 ms, so a burst would need 200 ms to sneak in a sixth.
      const limiter = scope()({ periodMs: 1_000 });
      const burst = () =>
        Promise.all(
          Array.from({ length: 8 }, () =>
            limiter.admit({ tenant: "acme", tenantLimits: { requestsPerMinute: 5 }, tokens: 0 }),
          ),
        );
      expect((await burst()).filter((admission) => admission.admitted)).toHaveLength(5);
      await sleepMs(1_050);
      expect((await burst()).filter((admission) => admission.admitted)).toHaveLength(5);
    });

    it("reserves tokens up front and reconciles them: a refund frees room, a charge takes it", async () => {
      const limiter = scope()();
      const request = { tenant: "acme", key: { id: "k", limits: { tokensPerMinute: 1_000 } } };
      const first = await limiter.admit({ ...request, tokens: 600 });
      if (!first.admitted) throw first.error;
      expect(refused(await limiter.admit({ ...request, tokens: 600 })).details).toMatchObject({
        kind: "tokens",
        scope: "key",
      });
      await first.lease.reconcile(100);
      await first.lease.reconcile(900); // only the first reconcile counts
      const second = await limiter.admit({ ...request, tokens: 600 });
      if (!second.admitted) throw second.error;
      expect(second.headers["x-ratelimit-remaining-tokens"]).toMatch(/^(300|30\d)$/);
      await second.lease.release({ actualTokens: 1_000 }); // 400 more than reserved: the bucket owes 100
      const third = refused(await limiter.admit({ ...request, tokens: 1 }));
      expect(third.retryAfterMs).toBeGreaterThan(5_000);
    });

    it("refuses for good a request larger than the tokens-per-minute limit", async () => {
      const limiter = scope()();
      const admission = await limiter.admit({
        tenant: "acme",
        tenantLimits: { tokensPerMinute: 1_000 },
        tokens: 1_001,
      });
      const error = refused(admission);
      expect(error.retryable).toBe(false);
      expect(error.retryAfterMs).toBeUndefined();
      expect(error.details).toMatchObject({
        scope: "tenant",
        kind: "tokens",
        limit: 1_000,
        reason: "request-too-large",
      });
      expect(admission.headers["retry-after"]).toBeUndefined();
      expect(admission.headers["x-ratelimit-remaining-tokens"]).toBe("1000");
    });

    it("checks key and tenant in one step: a refused request consumes nothing in any scope", async () => {
      const limiter = scope()();
      const tenantLimits = { requestsPerMinute: 5 };
      const as = (id: string) =>
        limiter.admit({ tenant: "acme", tenantLimits, key: { id, limits: { requestsPerMinute: 3 } }, tokens: 0 });
      const first = [await as("a"), await as("a"), await as("a"), await as("a")];
      expect(first.map((admission) => admission.admitted)).toEqual([true, true, true, false]);
      expect(refused(first[3]!).details.scope).toBe("key");
      const second = [await as("b"), await as("b"), await as("b")];
      expect(second.map((admission) => admission.admitted)).toEqual([true, true, false]);
      const last = second[2]!;
      expect(refused(last).details.scope).toBe("tenant");
      // b's own bucket still has one left: the refusal by the tenant took nothing from it.
      expect(last.scopes.find((usage) => usage.scope === "key")?.requests?.remaining).toBe(1);
      expect(last.scopes.find((usage) => usage.scope === "tenant")?.requests?.remaining).toBe(0);
      // Another tenant is untouched.
      expect((await limiter.admit({ tenant: "other", tenantLimits, tokens: 0 })).admitted).toBe(true);
    });

    it("holds concurrency slots until release; a second release frees nothing more", async () => {
      const limiter = scope()();
      const request = { tenant: "acme", key: { id: "k", limits: { concurrency: 2 } }, tokens: 0 };
      const first = await limiter.admit(request);
      const second = await limiter.admit(request);
      expect([first.admitted, second.admitted]).toEqual([true, true]);
      const third = refused(await limiter.admit(request));
      expect(third.details).toMatchObject({ scope: "key", kind: "concurrency", limit: 2 });
      expect(third.retryAfterMs).toBe(1_000);
      if (!first.admitted) throw first.error;
      await first.lease.release();
      await first.lease.release();
      expect((await limiter.admit(request)).admitted).toBe(true);
      expect((await limiter.admit(request)).admitted).toBe(false);
    });

    it("drops the leases of an instance that stopped renewing them (a crash) after leaseTtlMs", async () => {
      const open = scope();
      const crashed = open({ leaseTtlMs: 300 });
      const survivor = open({ leaseTtlMs: 300 });
      const request = { tenant: "acme", tenantLimits: { concurrency: 2 }, tokens: 0 };
      expect((await crashed.admit(request)).admitted).toBe(true);
      expect((await crashed.admit(request)).admitted).toBe(true);
      await crashed.close();
      expect((await survivor.admit(request)).admitted).toBe(false);
      await sleepMs(350);
      const after = await survivor.admit(request);
      expect(after.admitted).toBe(true);
      expect(after.scopes[0]?.concurrency).toEqual({ limit: 2, active: 1 });
    });

    it("renews a held lease, so a long request keeps its slot past leaseTtlMs", async () => {
      const limiter = scope()({ leaseTtlMs: 300 });
      const request = { tenant: "acme", tenantLimits: { concurrency: 1 }, tokens: 0 };
      const held = await limiter.admit(request);
      if (!held.admitted) throw held.error;
      await sleepMs(800);
      expect((await limiter.admit(request)).admitted).toBe(false);
      await held.lease.release();
      expect((await limiter.admit(request)).admitted).toBe(true);
    });

    it("counts nothing without limits and refuses malformed input as BAD_REQUEST", async () => {
      const limiter = scope()();
      const free = await limiter.admit({ tenant: "acme", key: { id: "k" }, tokens: 10 });
      expect(free).toMatchObject({ admitted: true, headers: {}, scopes: [] });
      const bad = [
        { tenant: "", tokens: 0 },
        { tenant: "acme", tokens: -1 },
        { tenant: "acme", tokens: 1.5 },
        { tenant: "acme", tenantLimits: { requestsPerMinute: 0 }, tokens: 0 },
        { tenant: "acme", key: { id: "", limits: { concurrency: 1 } }, tokens: 0 },
      ];
      for (const request of bad) {
        const outcome = await limiter.admit(request).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(KeelError.isInstance(outcome) && outcome.code).toBe("BAD_REQUEST");
      }
    });
  });
}
