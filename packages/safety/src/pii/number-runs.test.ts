import { describe, expect, it } from "vitest";
import { findNumberRuns } from "./number-runs.ts";

const runsOf = (text: string): string[] => findNumberRuns(text).map((run) => text.slice(run.start, run.end));

describe("number runs", () => {
  it("keeps the separators people write inside numbers", () => {
    expect(runsOf("call +46 (0)8 928 571 38 or (37) 788-063")).toEqual(["+46 (0)8 928 571 38", "(37) 788-063"]);
    expect(runsOf("345-899-3560x4587.")).toEqual(["345-899-3560x4587"]);
  });

  it("skips digits glued to letters", () => {
    expect(runsOf("abc123 v2.1 12ab 7")).toEqual(["7"]);
  });

  it("regression: a '+' after a word ('1E+02' of the naughty strings) no longer loops forever", () => {
    expect(runsOf("1E+02")).toEqual([]);
  });

  it("closes a parenthesis only opened inside the run, without searching back through the text", () => {
    expect(runsOf("1)".repeat(3))).toEqual(["1)1)1"]);
    expect(runsOf("(1) 2)")).toEqual(["(1) 2"]);
    const started = performance.now();
    findNumberRuns("1)".repeat(500_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
