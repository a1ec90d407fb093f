import { describe, expect, it } from "vitest";
import { classification, confusion, rocAuc, thresholdForFpr } from "./metrics.ts";

describe("metrics", () => {
  it("ROC AUC counts ordered pairs, ties as half", () => {
    // Pairs (positive, negative): (0.9 > 0.1), (0.9 > 0.5), (0.5 = 0.5 -> 1/2), (0.5 > 0.1): 3.5 of 4.
    expect(rocAuc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.875, 10);
    expect(rocAuc([0.1, 0.9], [1, 0])).toBe(0);
    expect(rocAuc([0.3], [1])).toBeNaN();
  });

  it("precision, recall, F1 per class and their macro mean", () => {
    // TP 1, FP 1, FN 1, TN 1: every figure is 1/2.
    const figures = classification(confusion([true, true, false, false], [1, 0, 1, 0]));
    expect(figures).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, macroF1: 0.5, accuracy: 0.5 });
  });

  it("picks the lowest threshold that keeps the false-positive rate under the target", () => {
    // Ten negatives; 10 % allows one above the threshold: the second highest negative bounds it.
    const negatives = [0.95, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    const threshold = thresholdForFpr(negatives, new Array(10).fill(0), 0.1);
    expect(threshold).toBeGreaterThan(0.8);
    expect(threshold).toBeLessThan(0.81);
  });
});
