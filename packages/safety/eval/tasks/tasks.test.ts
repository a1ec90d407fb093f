import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { task as claims } from "./claims.ts";
import { task as injection } from "./injection.ts";
import { task as injectionDocs } from "./injection-docs.ts";
import { task as toxicity } from "./toxicity.ts";

const fixture = (name: string) => resolve(import.meta.dirname, "fixtures", `${name}.jsonl`);

describe("eval tasks on tiny fixtures", () => {
  it("injection: two of three attacks caught (the third is a plain sentence labelled 1), no benign flagged", async () => {
    const { summary, table } = await injection.run(fixture("injection"));
    expect(summary).toMatchObject({ channel: "user", rows: 5, positives: 3, negatives: 2, tpr: 0.6667, fpr: 0 });
    expect(table).toContain("tpr");
  });

  it("injection-docs: both injected documents caught, both clean ones passed", async () => {
    const { summary } = await injectionDocs.run(fixture("injection-docs"));
    expect(summary).toMatchObject({ channel: "document", rows: 4, tpr: 1, fpr: 0, auc: 1 });
  });

  it("toxicity: TP 2, FN 1, FP 0, TN 2 gives precision 1, recall 2/3, F1 0.8, macro-F1 0.8, accuracy 0.8", async () => {
    const { summary } = await toxicity.run(fixture("toxicity"));
    expect(summary).toMatchObject({
      rows: 5,
      positives: 3,
      precision: 1,
      recall: 0.6667,
      f1: 0.8,
      macroF1: 0.8,
      accuracy: 0.8,
    });
  });

  it("claims: both pairs separated; only the one-word pair is length-controlled", async () => {
    const { summary } = await claims.run(fixture("claims"));
    expect(summary).toMatchObject({
      rows: 4,
      hallucinated: 2,
      auc: 1,
      accuracy: 1,
      lengthControlledRows: 2,
      lengthControlledAuc: 1,
    });
  });
});
