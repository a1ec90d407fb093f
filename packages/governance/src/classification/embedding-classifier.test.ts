import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { classifyEmbeddings, createEmbeddingClassifier } from "./embedding-classifier.ts";

// Hand-made 3-d "embeddings": billing texts point along x, shipping along y, with some spread.
const labels = [
  {
    label: "billing",
    embeddings: [
      [1, 0.1, 0],
      [0.9, 0.2, 0.1],
      [2, 0, 0.2],
    ],
  },
  {
    label: "shipping",
    embeddings: [
      [0.1, 1, 0],
      [0, 0.8, 0.3],
      [0.2, 3, 0],
    ],
  },
];

describe("embedding classification", () => {
  it("scores by nearest centroid: label, cosine score, runner-up and margin per text; vectors are normalised", () => {
    const results = classifyEmbeddings({
      labels,
      inputs: [
        [5, 0.5, 0],
        [0, 0.1, 0.001],
        [1, 1, 0],
      ],
    });
    expect(results.map((result) => [result.label, result.runnerUp?.label])).toEqual([
      ["billing", "shipping"],
      ["shipping", "billing"],
      [expect.any(String), expect.any(String)],
    ]);
    expect(results[0]!.score).toBeGreaterThan(0.98);
    expect(results[0]!.score).toBeLessThanOrEqual(1 + 1e-12);
    // Scale does not matter: the same direction scores the same.
    const scaled = classifyEmbeddings({ labels, inputs: [[50, 5, 0]] })[0]!;
    expect(scaled.score).toBeCloseTo(results[0]!.score, 12);
    // The diagonal text sits between the two: a small margin says the decision is unclear.
    expect(results[2]!.margin).toBeLessThan(0.1);
    expect(results[0]!.margin).toBeGreaterThan(0.5);
    expect(results[0]!.margin).toBeCloseTo(results[0]!.score - results[0]!.runnerUp!.score, 12);
  });

  it("scores by k nearest examples per label, which follows a varied label better than its centroid", () => {
    // "faq" has two unrelated clusters; its centroid points between them, near nothing.
    const varied = [
      {
        label: "faq",
        embeddings: [
          [1, 0, 0],
          [0, 0, 1],
        ],
      },
      {
        label: "complaint",
        embeddings: [
          [0.6, 0, 0.6],
          [0.7, 0.1, 0.7],
        ],
      },
    ];
    const text = [[0.95, 0.05, 0.1]];
    expect(classifyEmbeddings({ labels: varied, inputs: text, method: "centroid" })[0]!.label).toBe("complaint");
    const knn = classifyEmbeddings({ labels: varied, inputs: text, method: "knn", k: 1 })[0]!;
    expect(knn.label).toBe("faq");
    expect(knn.score).toBeCloseTo(0.95 / Math.hypot(0.95, 0.05, 0.1), 12);
    // k larger than a label's examples averages all of them.
    const wide = classifyEmbeddings({ labels: varied, inputs: text, method: "knn", k: 10 })[0]!;
    expect(wide.runnerUp).not.toBeNull();
  });

  it("prepares a label set once for many calls, and reports no runner-up for a single label", () => {
    const classifier = createEmbeddingClassifier([{ label: "only", embeddings: [[1, 2]] }]);
    expect(
      classifier.classify([
        [2, 4],
        [-1, -2],
      ]),
    ).toEqual([
      { label: "only", score: expect.closeTo(1, 12), runnerUp: null, margin: 0 },
      { label: "only", score: expect.closeTo(-1, 12), runnerUp: null, margin: 0 },
    ]);
    expect(classifier.classify([])).toEqual([]);
  });

  it("refuses inputs it cannot compare, naming the field", () => {
    const cases: [() => unknown, string][] = [
      [() => classifyEmbeddings({ labels: [], inputs: [] }), "labels"],
      [() => classifyEmbeddings({ labels: [{ label: "a", embeddings: [] }], inputs: [] }), "labels.0.embeddings"],
      [() => classifyEmbeddings({ labels: [...labels, labels[0]!], inputs: [] }), "labels.2.label"],
      [
        () =>
          classifyEmbeddings({
            labels: [
              {
                label: "a",
                embeddings: [
                  [1, 0],
                  [1, 0, 0],
                ],
              },
            ],
            inputs: [],
          }),
        "labels.0.embeddings.1",
      ],
      [() => classifyEmbeddings({ labels, inputs: [[1, 0]] }), "inputs.0"],
      [() => classifyEmbeddings({ labels, inputs: [[0, 0, 0]] }), "inputs.0"],
      [() => classifyEmbeddings({ labels, inputs: [[1, Number.NaN, 0]] }), "inputs.0"],
      [() => classifyEmbeddings({ labels, inputs: [[1, 0, 0]], method: "knn", k: 0 }), "k"],
      [() => classifyEmbeddings({ labels, inputs: [[1, 0, 0]], method: "svm" as never }), "method"],
    ];
    for (const [run, field] of cases) {
      const error = (() => {
        try {
          run();
        } catch (caught) {
          return caught;
        }
      })();
      expect(KeelError.isInstance(error) && [error.code, error.details.field]).toEqual(["BAD_REQUEST", field]);
    }
  });
});
