/**
 * Preloaded into a service by `bench/src/load-memory.ts` (`node --expose-gc --import <this>`).
 * On SIGUSR2 it writes `$KEEL_LOAD_PROBE_DIR/<pid>-<n>.json`: process.memoryUsage() and V8's
 * heap spaces as they are (under load), then both again after a full gc (what is live);
 * with KEEL_LOAD_PROBE_SNAPSHOT=1 also a heap snapshot beside it, after the gc.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";

const directory = process.env.KEEL_LOAD_PROBE_DIR ?? "";
let count = 0;

const spaces = () =>
  Object.fromEntries(
    getHeapSpaceStatistics().map((space) => [
      space.space_name,
      { size: space.space_size, used: space.space_used_size, committed: space.physical_space_size },
    ]),
  );

process.on("SIGUSR2", () => {
  count++;
  const before = { usage: process.memoryUsage(), spaces: spaces() };
  globalThis.gc?.();
  globalThis.gc?.();
  const after = { usage: process.memoryUsage(), spaces: spaces() };
  let snapshot;
  if (process.env.KEEL_LOAD_PROBE_SNAPSHOT === "1")
    snapshot = writeHeapSnapshot(join(directory, `${process.pid}-${count}.heapsnapshot`));
  writeFileSync(join(directory, `${process.pid}-${count}.json`), JSON.stringify({ before, after, snapshot }));
});
