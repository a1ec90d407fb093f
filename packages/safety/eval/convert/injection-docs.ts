/**
 * Documents the model reads as data: BIPIA's clean contexts (emails, tables, code answers),
 * split 70/30 per task. Each clean context appears once as is (label 0) and once with an
 * attack from the same split of the user-turn injections inserted at a seeded random
 * word boundary (label 1), so train and dev share neither contexts nor attacks.
 *
 *   pnpm --filter @keel/safety exec tsx eval/convert/injection-docs.ts [source dir]
 */
import { resolve } from "node:path";
import { fnvHash } from "../../src/classifier/fnv-hash.ts";
import { readJsonLines, seededRandom, sourceDirectory, splitByHash, writeJsonLines } from "./convert-files.ts";
import { type LabelledText, userTurnSplit } from "./injection-sources.ts";

interface Context {
  text: string;
  task: string;
}

const sourceDir = sourceDirectory(process.argv);
const contexts = readJsonLines(resolve(sourceDir, "prompt_injection/bipia_clean_contexts.jsonl")) as Context[];
const contextSplit = splitByHash(contexts, { key: (row) => row.text, stratum: (row) => row.task });
const attackSplit = userTurnSplit(sourceDir);

writeJsonLines("injection-docs-train.jsonl", buildDocuments(contextSplit.train, attackSplit.train));
writeJsonLines("injection-docs-dev.jsonl", buildDocuments(contextSplit.dev, attackSplit.dev));

function buildDocuments(documents: readonly Context[], turns: readonly LabelledText[]): LabelledText[] {
  const attacks = turns.filter((turn) => turn.label === 1);
  const rows: LabelledText[] = [];
  for (const document of documents) {
    const random = seededRandom(fnvHash(document.text));
    const attack = attacks[Math.floor(random() * attacks.length)]!;
    rows.push({ text: document.text, label: 0, source: `bipia-${document.task}` });
    rows.push({
      text: insertAt(document.text, attack.text, random),
      label: 1,
      source: `bipia-${document.task}+${attack.source}`,
    });
  }
  return rows;
}

/** Inserts the attack at a random whitespace position (or at an end), as an attacker editing the page would. */
function insertAt(text: string, attack: string, random: () => number): string {
  const boundaries = [0, text.length];
  for (let index = 0; index < text.length; index++) if (/\s/.test(text[index]!)) boundaries.push(index);
  const position = boundaries[Math.floor(random() * boundaries.length)]!;
  return `${text.slice(0, position)} ${attack} ${text.slice(position)}`.trim();
}
