/**
 * Converts Presidio-research's synthetic PII sentences into the JSONL the pii eval task reads,
 * split 70/30 into train and dev by a hash of each sentence (so a sentence that occurs twice
 * lands in one split, and the split never changes between runs).
 *
 * Usage: tsx eval/convert/pii.ts [shared data folder or the .json file]
 * The default folder is ../shared/data beside the repository root.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface PresidioSpan {
  entity_type: string;
  start_position: number;
  end_position: number;
}

interface PresidioRow {
  full_text: string;
  spans: PresidioSpan[];
}

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(here, "../../../..");
const argument = process.argv[2] ?? join(repositoryRoot, "../shared/data");
const source = statSync(argument).isDirectory() ? join(argument, "pii/presidio_synth_dev.json") : argument;
const rows = JSON.parse(readFileSync(source, "utf8")) as PresidioRow[];

const train: string[] = [];
const dev: string[] = [];
for (const row of rows) {
  const spans = row.spans
    .map((span) => ({ type: span.entity_type, start: span.start_position, end: span.end_position }))
    .sort((left, right) => left.start - right.start || left.end - right.end);
  const line = JSON.stringify({ text: row.full_text, spans });
  (fnv1a(row.full_text) % 100 < 70 ? train : dev).push(line);
}
writeFileSync(join(here, "../data/pii-train.jsonl"), `${train.join("\n")}\n`);
writeFileSync(join(here, "../data/pii-dev.jsonl"), `${dev.join("\n")}\n`);
console.log(`${source}: ${rows.length} rows -> pii-train.jsonl ${train.length}, pii-dev.jsonl ${dev.length}`);

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
