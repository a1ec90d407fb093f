import { describe, expect, it } from "vitest";
import { startSimulator } from "./server.ts";
import { rawRequest, useSimulator } from "./test-support/simulator-fixtures.ts";
import type { SimulatorHandle, SimulatorRule } from "./types.ts";

const failFor = (status: number, probability: number, extra: Partial<SimulatorRule> = {}): SimulatorRule => ({
  probability,
  fault: { type: "status", status },
  ...extra,
});

/** The status of each of `count` sequential chat calls: sequential, so the draws come in a fixed order. */
async function statuses(simulator: SimulatorHandle, count: number): Promise<number[]> {
  const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
  const seen: number[] = [];
  for (let call = 0; call < count; call++) {
    seen.push((await rawRequest(`${simulator.url}/chat/completions`, { method: "POST", body })).status);
  }
  return seen;
}

const countOf = (values: number[], wanted: number) => values.filter((value) => value === wanted).length;

describe("probabilistic rules", () => {
  it("hits about the given share of matching calls, and a lost draw falls through to later rules", async () => {
    const { simulator } = await useSimulator({ rules: [failFor(500, 0.1), failFor(503, 0.5)] });
    const seen = await statuses(simulator, 2000);
    // Binomial(2000, 0.1): mean 200, sd 13.4; binomial(1800, 0.5) for the rest: mean 900, sd 21.
    expect(countOf(seen, 500)).toBeGreaterThan(150);
    expect(countOf(seen, 500)).toBeLessThan(250);
    expect(countOf(seen, 503)).toBeGreaterThan(820);
    expect(countOf(seen, 503)).toBeLessThan(980);
    expect(countOf(seen, 200)).toBe(2000 - countOf(seen, 500) - countOf(seen, 503));
    expect(simulator.stats().totalCalls).toBe(2000);
  }, 60_000);

  it("gives the same sequence for the same seed, another for another seed, and restarts on setRules", async () => {
    const rules = [failFor(500, 0.3)];
    const first = await useSimulator({ seed: 7, rules });
    const second = await useSimulator({ seed: 7, rules });
    const other = await useSimulator({ seed: 8, rules });
    const sequence = await statuses(first.simulator, 200);
    expect(await statuses(second.simulator, 200)).toEqual(sequence);
    expect(await statuses(other.simulator, 200)).not.toEqual(sequence);
    expect(countOf(sequence, 500)).toBeGreaterThan(0);

    first.simulator.setRules(rules);
    expect(await statuses(first.simulator, 200)).toEqual(sequence);
  }, 30_000);

  it("uses a fixed default seed, so runs without one are reproducible too", async () => {
    const first = await useSimulator({ rules: [failFor(500, 0.5)] });
    const second = await useSimulator({ rules: [failFor(500, 0.5)] });
    expect(await statuses(first.simulator, 100)).toEqual(await statuses(second.simulator, 100));
  });

  it("counts only the calls it hits towards times, and 0 and 1 mean never and always", async () => {
    const { simulator } = await useSimulator({ rules: [failFor(500, 0.5, { times: 5 })] });
    const seen = await statuses(simulator, 100);
    expect(countOf(seen, 500)).toBe(5);
    // The five hits are spread out: lost draws did not use the rule up.
    expect(seen.lastIndexOf(500)).toBeGreaterThan(4);

    simulator.setRules([failFor(500, 0), failFor(503, 1)]);
    expect(await statuses(simulator, 50)).toEqual(Array.from({ length: 50 }, () => 503));
  });

  it("rejects a probability outside 0..1 and a seed that is not an integer, naming the field", async () => {
    const { simulator } = await useSimulator();
    const attempt = (rules: unknown) => () => simulator.setRules(rules as never);
    expect(attempt([{ probability: 1.5 }])).toThrow(/rules\[0\]\.probability: must be a number from 0 to 1/);
    expect(attempt([{}, { probability: -0.1 }])).toThrow(/rules\[1\]\.probability/);
    expect(attempt([{ probability: "0.5" }])).toThrow(/rules\[0\]\.probability/);
    expect(attempt([{ probability: Number.NaN }])).toThrow(/rules\[0\]\.probability/);
    await expect(startSimulator({ seed: 1.5 })).rejects.toThrow(/seed: must be an integer/);
  });
});
