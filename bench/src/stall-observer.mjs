// Loaded into a service with `--import` (BENCH_NODE_ARGS="--import <repo>/bench/src/stall-observer.mjs"):
// for every 20 ms timer that fires late, one line with how long the main thread ran and how long it
// waited runnable for a CPU, and how long each other thread of the process ran (/proc schedstat).
// Why per thread: on a pinned core V8's background GC threads take the CPU from the main thread
// (140-180 ms per mark-compact, bench/README.md "Tail stalls, fifth pass"); process-wide CPU counts
// that as the process holding its loop, and the GC entries show only the main thread's pause.
// STALL_LOG: the file to append to (default /tmp/keel-stalls.log); STALL_LATE_MS: lateness to log (25).
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";

const logPath = process.env.STALL_LOG ?? "/tmp/keel-stalls.log";
const lateThresholdMs = Number(process.env.STALL_LATE_MS ?? 25);
const periodMs = 20;
const processLabel = `${process.pid} ${process.argv.slice(1).join(" ").slice(-30)}`;
const log = (line) => appendFileSync(logPath, `${new Date().toISOString()} [${processLabel}] ${line}\n`);

// Node 20's gc entry kinds.
const gcKinds = { 1: "scavenge", 2: "minor-mark-sweep", 4: "mark-compact", 8: "incremental", 16: "weak-callbacks" };
const gcTotals = {};
let gcsInInterval = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = gcKinds[entry.detail?.kind] ?? String(entry.detail?.kind);
    gcTotals[kind] ??= { count: 0, ms: 0, maxMs: 0 };
    const total = gcTotals[kind];
    total.count++;
    total.ms += entry.duration;
    total.maxMs = Math.max(total.maxMs, entry.duration);
    if (entry.duration > 3) gcsInInterval.push(`${kind} ${entry.duration.toFixed(1)}`);
  }
}).observe({ entryTypes: ["gc"] });

const threadNames = new Map();
/** Nanoseconds each thread has run and waited runnable, by thread id. */
function readSchedulerTimes() {
  const times = new Map();
  for (const threadId of readdirSync("/proc/self/task")) {
    try {
      const [ran, waited] = readFileSync(`/proc/self/task/${threadId}/schedstat`, "utf8").split(" ").map(Number);
      if (!threadNames.has(threadId))
        threadNames.set(threadId, readFileSync(`/proc/self/task/${threadId}/comm`, "utf8").trim());
      times.set(threadId, { ran, waited });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

let previousWallMs = performance.now();
let previousTimes = readSchedulerTimes();
setInterval(() => {
  const nowMs = performance.now();
  const times = readSchedulerTimes();
  const intervalMs = nowMs - previousWallMs;
  if (intervalMs - periodMs > lateThresholdMs) {
    const mainThread = String(process.pid);
    const deltaMs = (threadId, field) =>
      ((times.get(threadId)?.[field] ?? 0) - (previousTimes.get(threadId)?.[field] ?? 0)) / 1e6;
    const busyOthers = [];
    let othersMs = 0;
    for (const threadId of times.keys()) {
      if (threadId === mainThread) continue;
      const ranMs = deltaMs(threadId, "ran");
      othersMs += ranMs;
      if (ranMs > 1) busyOthers.push(`${threadNames.get(threadId)}:${ranMs.toFixed(0)}`);
    }
    log(
      `stall interval ${intervalMs.toFixed(0)} ms: main ran ${deltaMs(mainThread, "ran").toFixed(0)} ` +
        `waited ${deltaMs(mainThread, "waited").toFixed(0)}; other threads ran ${othersMs.toFixed(0)} ` +
        `[${busyOthers.join(" ")}] gc [${gcsInInterval.join(", ")}] heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  gcsInInterval = [];
  previousWallMs = nowMs;
  previousTimes = times;
}, periodMs).unref();
process.on("SIGTERM", () => {
  log(`gc totals ${JSON.stringify(gcTotals)}`);
  process.exit(0);
});
