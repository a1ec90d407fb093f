import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { policyFor } from "./route-chains.ts";

const config = parseConfig({
  providers: { sim: { baseURL: "http://127.0.0.1:1/v1", apiKey: "test" } },
  models: { chat: { targets: ["sim/a", "sim/b", "sim/c"] } },
  defaults: {
    policy: {
      retry: { maxAttempts: 3, baseDelayMs: 50 },
      breaker: false,
      timeout: { attemptMs: 5_000, idleMs: 1_000 },
    },
  },
  targetPolicies: {
    "sim/a": { retry: { maxAttempts: 5 }, breaker: { volumeThreshold: 4 }, timeout: { attemptMs: 900 } },
    "sim/b": { retry: false },
  },
});

describe("policyFor", () => {
  it("overlays a target's own entry on defaults.policy section by section, field by field", () => {
    expect(policyFor(config, "sim/a")).toEqual({
      retry: { maxAttempts: 5, baseDelayMs: 50 },
      breaker: { volumeThreshold: 4 },
      timeout: { attemptMs: 900, idleMs: 1_000 },
    });
  });

  it("lets a target turn a section off, and gives a target without an entry the defaults as they are", () => {
    expect(policyFor(config, "sim/b")).toEqual({
      retry: false,
      breaker: false,
      timeout: { attemptMs: 5_000, idleMs: 1_000 },
    });
    expect(policyFor(config, "sim/c")).toBe(config.defaults.policy);
  });
});
