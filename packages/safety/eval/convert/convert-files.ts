import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fnvHash } from "../../src/classifier/fnv-hash.ts";

export { seededRandom } from "../../src/classifier/seeded-random.ts";

/** Where the committed evaluation and training files live. */
export const DATA_DIR = resolve(import.meta.dirname, "../data");
const REPO_ROOT = resolve(import.meta.dirname, "../../../..");

/** The source directory: the first argument, else `../shared/data` beside the repository. */
export function sourceDirectory(argv: readonly string[]): string {
  const given = argv[2];
  // pnpm runs scripts in the package folder; INIT_CWD is where the caller typed the command.
  return given === undefined
    ? resolve(REPO_ROOT, "../shared/data")
    : resolve(process.env.INIT_CWD ?? process.cwd(), given);
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

export function readJsonLines(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}

export function writeJsonLines(name: string, rows: readonly unknown[]): void {
  const path = resolve(DATA_DIR, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, rows.map((row) => JSON.stringify(row)).join("\n") + "\n");
  console.log(`${name}: ${rows.length} rows`);
}

export interface Split<Row> {
  train: Row[];
  dev: Row[];
}

/**
 * A deterministic, stratified 70/30 split: within each stratum rows are ordered by a hash
 * of their key and the first 70 % train. Re-running the converter never moves a row, and
 * both splits keep the source's label balance.
 */
export function splitByHash<Row>(
  rows: readonly Row[],
  keys: { key: (row: Row) => string; stratum: (row: Row) => string },
): Split<Row> {
  const strata = new Map<string, Row[]>();
  for (const row of rows) {
    const stratum = keys.stratum(row);
    strata.set(stratum, [...(strata.get(stratum) ?? []), row]);
  }
  const split: Split<Row> = { train: [], dev: [] };
  for (const members of strata.values()) {
    const ordered = members
      .map((row) => ({ row, hash: fnvHash(keys.key(row)) }))
      .sort((left, right) => left.hash - right.hash);
    const trainCount = Math.round(ordered.length * 0.7);
    ordered.forEach((entry, index) => {
      (index < trainCount ? split.train : split.dev).push(entry.row);
    });
  }
  return split;
}

/** Drops rows whose key was already seen (the sources overlap). */
export function dedupe<Row>(rows: readonly Row[], key: (row: Row) => string): Row[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const value = key(row).trim().replace(/\s+/g, " ");
    if (seen.has(value)) return false;
    seen.add(value);
    return true;
  });
}
