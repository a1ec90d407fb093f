import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A fresh directory, removed after the test file: under /dev/shm when `memoryBacked` and it
 * exists (an fsync there costs nothing, so hundreds of file writes stay fast), else the OS temp dir.
 */
export function temporaryDirectory(name: string, options: { memoryBacked?: boolean } = {}): string {
  const base = options.memoryBacked && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const directory = mkdtempSync(join(base, `keel-governance-${name}-`));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

export const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns true or the time is up (then fails with the message). */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs?: number; message: string },
) {
  const until = Date.now() + (options.timeoutMs ?? 5_000);
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out: ${options.message}`);
    await sleepMs(10);
  }
}
