import { readFileSync } from "node:fs";
import { createPiiDetector } from "../../src/pii/pii-detector.ts";
import type { EvalReport, EvalTask } from "../eval-task.ts";
import {
  addCounts,
  canonicalType,
  countTokens,
  type Scores,
  scoresOf,
  type TypeCounts,
  type TypedSpan,
} from "../token-scoring.ts";

interface PiiRow {
  text: string;
  spans: TypedSpan[];
}

/** Types whose findings a checksum, a library or a fixed format validates; reported as their own micro-average. */
export const structuredTypes: readonly string[] = [
  "CREDIT_CARD",
  "EMAIL_ADDRESS",
  "PHONE_NUMBER",
  "IBAN_CODE",
  "US_SSN",
  "IP_ADDRESS",
  "DOMAIN_NAME",
];

export const piiTask: EvalTask = {
  description: "PII detection, token-level precision / recall / F1 / F2 per type (JSONL {text, spans})",
  async run(file: string): Promise<EvalReport> {
    const rows = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as PiiRow);
    const detector = createPiiDetector();
    const perType = new Map<string, TypeCounts>();
    for (const row of rows) {
      const predicted = detector.detect(row.text).map((finding) => ({ ...finding, type: finding.kind }));
      for (const [type, counts] of countTokens(row.text, { gold: row.spans, predicted })) {
        const total = perType.get(type) ?? { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
        addCounts(total, counts);
        perType.set(type, total);
      }
    }
    return report({ file, rows: rows.length, perType });
  },
};

function report(results: { file: string; rows: number; perType: Map<string, TypeCounts> }): EvalReport {
  const types = [...results.perType.keys()].sort();
  const structured = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  const all = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  const perType: Record<string, Scores> = {};
  for (const type of types) {
    const counts = results.perType.get(type);
    if (!counts) continue;
    perType[type] = rounded(scoresOf(counts));
    addCounts(all, counts);
    if (structuredTypes.includes(canonicalType(type))) addCounts(structured, counts);
  }
  const microStructured = rounded(scoresOf(structured));
  const microAll = rounded(scoresOf(all));
  const lines = [
    `pii eval: ${results.rows} rows from ${results.file} (token-level; see README)`,
    `${"type".padEnd(20)}${"precision".padStart(10)}${"recall".padStart(10)}${"F1".padStart(8)}${"F2".padStart(8)}${"tokens".padStart(8)}`,
    ...types.map((type) => row(type, perType[type])),
    row("micro (structured)", microStructured),
    row("micro (all)", microAll),
  ];
  return {
    table: lines.join("\n"),
    summary: { task: "pii", rows: results.rows, perType, microStructured, microAll },
  };
}

function row(label: string, scores: Scores | undefined): string {
  if (!scores) return label;
  const cells = [scores.precision, scores.recall, scores.f1, scores.f2].map((value, index) =>
    value.toFixed(3).padStart(index < 2 ? 10 : 8),
  );
  return `${label.padEnd(20)}${cells.join("")}${String(scores.support).padStart(8)}`;
}

function rounded(scores: Scores): Scores {
  const round = (value: number): number => Math.round(value * 10000) / 10000;
  return {
    ...scores,
    precision: round(scores.precision),
    recall: round(scores.recall),
    f1: round(scores.f1),
    f2: round(scores.f2),
  };
}
