/**
 * Claims: HaluEval QA rows, split 70/30 by question. Each row gives two records, its
 * grounded answer (label 0) and its hallucinated answer (label 1), over the same knowledge.
 *
 *   pnpm --filter @keel/safety exec tsx eval/convert/claims.ts [source dir]
 */
import { resolve } from "node:path";
import { readJsonLines, sourceDirectory, splitByHash, writeJsonLines } from "./convert-files.ts";

interface HaluEvalRow {
  knowledge: string;
  question: string;
  right_answer: string;
  hallucinated_answer: string;
}

const rows = readJsonLines(
  resolve(sourceDirectory(process.argv), "hallucination/halueval_qa_dev.jsonl"),
) as HaluEvalRow[];
const split = splitByHash(rows, { key: (row) => row.question, stratum: () => "all" });
writeJsonLines("claims-train.jsonl", split.train.flatMap(toRecords));
writeJsonLines("claims-dev.jsonl", split.dev.flatMap(toRecords));

function toRecords(row: HaluEvalRow) {
  const shared = { knowledge: row.knowledge, question: row.question.trim() };
  return [
    { ...shared, answer: row.right_answer, label: 0 },
    { ...shared, answer: row.hallucinated_answer, label: 1 },
  ];
}
