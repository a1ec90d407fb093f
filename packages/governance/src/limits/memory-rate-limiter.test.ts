import { describe, expect, it } from "vitest";
import { describeRateLimiterContract } from "../test-support/rate-limiter-contract.ts";
import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import type { RateLimiter, RateLimiterOptions } from "./rate-limit-types.ts";

// In memory, "two instances" are one limiter: a process has one state.
describeRateLimiterContract("memory", () => {
  let shared: RateLimiter | undefined;
  return (options?: RateLimiterOptions) => {
    shared ??= createMemoryRateLimiter(options);
    return shared;
  };
});

describe("the memory rate limiter", () => {
  it("forgets idle scopes, so memory does not grow with every tenant ever seen", async () => {
    let clock = 0;
    const limiter = createMemoryRateLimiter({ now: () => clock });
    for (let index = 0; index < 2_048; index++) {
      await limiter.admit({ tenant: `tenant-${index}`, tenantLimits: { requestsPerMinute: 1 }, tokens: 0 });
    }
    clock += 61_000;
    // After a period every scope is idle again: a full bucket each, whatever was swept.
    for (let index = 0; index < 2_048; index++) {
      const admission = await limiter.admit({
        tenant: `tenant-${index}`,
        tenantLimits: { requestsPerMinute: 1 },
        tokens: 0,
      });
      expect(admission.headers["x-ratelimit-remaining-requests"]).toBe("0");
    }
  });
});
