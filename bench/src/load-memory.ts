/**
 * What a service's memory is under load (issue 14's RSS goal): starts the built tRPC or
 * GraphQL service as `bench:overhead` does (embedded default config: telemetry on, default
 * safety, exact and semantic cache on with every request a miss), then runs load steps one
 * after another and after each prints peak and current RSS and process.memoryUsage() with
 * V8's heap spaces, as they are and after a full gc (what is live).
 *
 *   pnpm build && pnpm --filter @keel/bench bench:load-memory
 *   BENCH_GATEWAYS=graphql BENCH_LOAD_STEPS=500:10,1000:10,1000:120 pnpm --filter @keel/bench bench:load-memory
 *   BENCH_LOAD_SNAPSHOT=1 ...          # a heap snapshot after each step, in the printed directory
 *   BENCH_NODE_ARGS="--max-semi-space-size=4" ...   # V8 flags for the service
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runOpenLoop } from "./open-loop.ts";
import { processCpuMs } from "./process-cpu.ts";
import { processMappings } from "./process-mappings.ts";
import { processMemoryMiB, resetPeakRss } from "./process-memory.ts";
import { startGateway, startUpstream, type GatewayKind } from "./request-path-processes.ts";

interface HeapSpace {
  size: number;
  used: number;
  committed: number;
}

interface Reading {
  usage: NodeJS.MemoryUsage;
  spaces: Record<string, HeapSpace>;
}

const settings = {
  gateways: (process.env.BENCH_GATEWAYS ?? "trpc").split(",") as GatewayKind[],
  /** rate:seconds, run in order on one process. */
  steps: (process.env.BENCH_LOAD_STEPS ?? "500:10,1000:10,1000:60").split(",").map((step) => {
    const [rate, seconds] = step.split(":").map(Number);
    return { rate: rate ?? 500, seconds: seconds ?? 10 };
  }),
  snapshot: process.env.BENCH_LOAD_SNAPSHOT === "1",
  nodeArgs: (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
};

const workDirectory = mkdtempSync(join(tmpdir(), "keel-load-memory-"));
process.env.KEEL_LOAD_PROBE_DIR = workDirectory;
process.env.KEEL_LOAD_PROBE_SNAPSHOT = settings.snapshot ? "1" : "0";
const probe = new URL("./load-memory-probe.mjs", import.meta.url).pathname;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).padStart(7);

async function probeReport(pid: number, count: number): Promise<{ before: Reading; after: Reading }> {
  process.kill(pid, "SIGUSR2");
  const file = join(workDirectory, `${pid}-${count}.json`);
  for (let waited = 0; !existsSync(file) && waited < 120_000; waited += 100) await sleep(100);
  await sleep(100);
  return JSON.parse(readFileSync(file, "utf8")) as { before: Reading; after: Reading };
}

function line(label: string, reading: Reading): string {
  const { usage, spaces } = reading;
  const young = (spaces.new_space?.committed ?? 0) + (spaces.new_large_object_space?.committed ?? 0);
  const old = spaces.old_space;
  const code = (spaces.code_space?.committed ?? 0) + (spaces.code_large_object_space?.committed ?? 0);
  const large = spaces.large_object_space;
  return [
    label.padEnd(12),
    mib(usage.rss),
    mib(usage.heapTotal),
    mib(usage.heapUsed),
    mib(usage.external),
    mib(usage.arrayBuffers),
    mib(young),
    `${mib(old?.used ?? 0)}/${mib(old?.committed ?? 0).trim()}`,
    `${mib(large?.used ?? 0)}`,
    mib(code),
  ].join(" ");
}

/** Where the resident memory is, after the gc: malloc's brk heap, anonymous mappings (V8, malloc arenas), files. */
function mappingLine(pid: number): string {
  const mappings = processMappings(pid);
  const cells = [mappings.brkHeap, mappings.anonymous, mappings.arenas64, mappings.files].map((value) =>
    mib(value * 2 ** 20),
  );
  return `resident: brk heap ${cells[0]}, anonymous ${cells[1]} (of it 64 MiB arenas ${cells[2]}), files ${cells[3]}`;
}

const upstream = await startUpstream({ cpu: undefined });
try {
  for (const kind of settings.gateways) {
    const gateway = await startGateway(kind, {
      upstreamPort: upstream.port,
      cpu: undefined,
      build: "dist",
      nodeArgs: ["--expose-gc", "--import", probe, ...settings.nodeArgs],
      workDirectory,
    });
    const managed = gateway.processes[0];
    const pid = managed?.child.pid as number;
    let count = 0;
    try {
      console.log(`\n${kind} (pid ${pid}${settings.nodeArgs.length ? `, ${settings.nodeArgs.join(" ")}` : ""}), MiB`);
      console.log(
        "step          peak-rss  errors   p99ms | reading      rss   heapTot heapUsed external arrayBuf  young  old used/committed  large   code",
      );
      await sleep(3_000);
      const idle = await probeReport(pid, ++count);
      console.log(`${"idle".padEnd(32)} | ${line("as is", idle.before)}`);
      console.log(`${"".padEnd(32)} | ${line("after gc", idle.after)}`);
      console.log(`${"".padEnd(32)} | ${mappingLine(pid)}`);
      let sent = 0;
      for (const step of settings.steps) {
        resetPeakRss(pid);
        const cpuBefore = processCpuMs(pid);
        const result = await runOpenLoop(gateway.target, { rate: step.rate, durationMs: step.seconds * 1000 });
        const cpuPerRequest = (processCpuMs(pid) - cpuBefore) / Math.max(1, result.sent);
        sent += result.sent;
        const peak = processMemoryMiB(pid).peak;
        const report = await probeReport(pid, ++count);
        const head = `${`${step.rate}/s ${step.seconds}s`.padEnd(12)} ${peak.toFixed(1).padStart(7)} ${String(result.errors).padStart(7)} ${result.latency.p99.toFixed(1).padStart(7)}`;
        console.log(`${head} | ${line("as is", report.before)}`);
        console.log(`${`  (${sent} sent)`.padEnd(32)} | ${line("after gc", report.after)}`);
        console.log(`${`  CPU ${cpuPerRequest.toFixed(2)} ms/request`.padEnd(32)} | ${mappingLine(pid)}`);
      }
      if (settings.snapshot) console.log(`snapshots in ${workDirectory}`);
    } finally {
      await managed?.stop();
    }
  }
} finally {
  await upstream.process.stop();
}
