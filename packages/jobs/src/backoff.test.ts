import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.ts";

describe("backoffDelay", () => {
  it("doubles from delayMs for exponential backoff", () => {
    const delays = [1, 2, 3, 4].map((failures) => backoffDelay({ type: "exponential", delayMs: 100 }, failures));
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it("waits the same for fixed backoff", () => {
    const delays = [1, 2, 3].map((failures) => backoffDelay({ type: "fixed", delayMs: 250 }, failures));
    expect(delays).toEqual([250, 250, 250]);
  });

  it("caps the delay", () => {
    expect(backoffDelay({ type: "exponential", delayMs: 1_000 }, 40, 60_000)).toBe(60_000);
  });
});
