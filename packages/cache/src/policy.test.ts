import { describe, expect, it } from "vitest";
import { createPolicyResolver } from "./policy.ts";

describe("createPolicyResolver", () => {
  it("resolves a configured route with its own policy over the defaults", () => {
    const policyOf = createPolicyResolver({ ttlSeconds: 60 }, { fast: { ttlSeconds: 5 } });
    expect(policyOf("fast").ttlMs).toBe(5_000);
    expect(policyOf("other").ttlMs).toBe(60_000);
  });

  it("memoises one policy for every model name without a route policy, however many callers send", () => {
    const policyOf = createPolicyResolver({ ttlSeconds: 60 }, { fast: { ttlSeconds: 5 } });
    const first = policyOf("caller-model-0");
    for (let index = 1; index < 5_000; index++) expect(policyOf(`caller-model-${index}`)).toBe(first);
    expect(policyOf("fast")).toBe(policyOf("fast"));
    expect(policyOf("fast")).not.toBe(first);
  });

  it("reports a bad default under the route asked for, every time", () => {
    const policyOf = createPolicyResolver({ ttlSeconds: -1 });
    expect(() => policyOf("chat")).toThrow(/routes\.chat\.ttlSeconds/);
    expect(() => policyOf("chat")).toThrow(/routes\.chat\.ttlSeconds/);
  });
});
