/**
 * Preloaded into a service by `bench/src/idle-memory.ts` (`node --expose-gc --import <this>`).
 * On SIGUSR2 it collects garbage and writes what the process holds to
 * `$KEEL_IDLE_PROBE_DIR/<pid>.json`: process.memoryUsage() before and after a full gc, and
 * the modules loaded (CommonJS from require.cache; ESM from a resolve hook, only with
 * KEEL_IDLE_PROBE_MODULES=1, because the hook's loader thread costs memory of its own).
 */
import { writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { join } from "node:path";
import { MessageChannel } from "node:worker_threads";

const directory = process.env.KEEL_IDLE_PROBE_DIR ?? "";
const esmUrls = new Set();

if (process.env.KEEL_IDLE_PROBE_MODULES === "1") {
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (url) => esmUrls.add(url));
  port1.unref();
  register("./idle-memory-hooks.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });
}

process.on("SIGUSR2", () => {
  const before = process.memoryUsage();
  // Twice: the first full collection can leave weakly reachable objects for the second.
  globalThis.gc?.();
  globalThis.gc?.();
  const after = process.memoryUsage();
  const cjsFiles = Object.keys(createRequire(import.meta.url).cache);
  const esmFiles = [...esmUrls].filter((url) => url.startsWith("file:")).map((url) => new URL(url).pathname);
  const report = { pid: process.pid, before, after, cjsFiles, esmFiles, builtins: process.moduleLoadList.length };
  writeFileSync(join(directory, `${process.pid}.json`), JSON.stringify(report));
});
