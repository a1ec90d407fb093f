/**
 * The campaign's budget. `pnpm test` runs a short seeded pass (the same inputs every time);
 * `pnpm --filter @keel/fuzz-tests fuzz:long` raises the runs and the idle connections. A
 * failure prints fast-check's seed and path: rerun with KEEL_FUZZ_SEED and KEEL_FUZZ_PATH.
 */
export const FUZZ_SEED = Number(process.env.KEEL_FUZZ_SEED ?? 20_261_202);
const runsFactor = Number(process.env.KEEL_FUZZ_RUNS ?? 0) / 100;

/** Runs for one property: its short default, or scaled by KEEL_FUZZ_RUNS (runs per 100 of the default). */
export function runs(shortDefault: number): number {
  return runsFactor > 0 ? Math.max(shortDefault, Math.round(shortDefault * runsFactor)) : shortDefault;
}

export const IDLE_CONNECTIONS = Number(process.env.KEEL_FUZZ_IDLE_CONNECTIONS ?? 1_000);

/** fast-check's options for one property. */
export function fuzzOptions(numRuns: number) {
  return {
    seed: FUZZ_SEED,
    numRuns,
    endOnFailure: true,
    ...(process.env.KEEL_FUZZ_PATH ? { path: process.env.KEEL_FUZZ_PATH } : {}),
  };
}

/** Inputs tried per property, printed at the end of each file (the closing note's figures). */
export const tally = new Map<string, number>();
export function count(property: string): void {
  tally.set(property, (tally.get(property) ?? 0) + 1);
}
export function printTally(file: string, startedAt: number): void {
  const lines = [...tally].map(([property, inputs]) => `  ${property}: ${inputs} inputs`);
  console.log(`fuzz ${file} (seed ${FUZZ_SEED}, ${Date.now() - startedAt} ms):\n${lines.join("\n")}`);
  tally.clear();
}
