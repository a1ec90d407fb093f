/**
 * Toxicity: Surge AI's English toxicity set and ToxiGen's human-written seed statements,
 * split 70/30 per source and label. ToxiGen rows keep their target group; its hateful rows
 * are the HATE category.
 *
 *   pnpm --filter @keel/safety exec tsx eval/convert/toxicity.ts [source dir]
 */
import { copyFileSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DATA_DIR, dedupe, readJsonLines, sourceDirectory, splitByHash, writeJsonLines } from "./convert-files.ts";
import { parseCsv } from "./parse-csv.ts";

interface ToxicityRow {
  text: string;
  label: 0 | 1;
  source: string;
  category?: string;
}

const sourceDir = sourceDirectory(process.argv);
const [, ...surge] = parseCsv(readFileSync(resolve(sourceDir, "toxicity/surge_toxicity_en.csv"), "utf8"));
const toxigen = readJsonLines(resolve(sourceDir, "toxicity/toxigen_seed.jsonl")) as {
  text: string;
  label: number;
  target_group: string;
}[];
const rows: ToxicityRow[] = dedupe(
  [
    ...surge.map(([text, verdict]) => ({
      text: text ?? "",
      label: verdict === "Toxic" ? (1 as const) : (0 as const),
      source: "surge",
    })),
    ...toxigen.map((row) => ({
      text: row.text,
      label: row.label === 1 ? (1 as const) : (0 as const),
      source: `toxigen-${row.target_group}`,
      ...(row.label === 1 ? { category: "HATE" } : {}),
    })),
  ],
  (row) => row.text,
);
const split = splitByHash(rows, { key: (row) => row.text, stratum: (row) => `${row.source}:${row.label}` });
writeJsonLines("toxicity-train.jsonl", split.train);
writeJsonLines("toxicity-dev.jsonl", split.dev);
copyFileSync(resolve(sourceDir, "toxicity/toxigen_LICENSE.txt"), resolve(DATA_DIR, "toxigen_LICENSE.txt"));
