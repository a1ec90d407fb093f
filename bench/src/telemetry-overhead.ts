/**
 * Telemetry overhead: the same open-loop load through two tRPC service processes, one
 * with telemetry on (the default: a log line per request at info, metrics, usage ledger,
 * alerts) and one with `telemetry: { enabled: false }`, cache bypassed, simulator at 0 ms.
 * Rounds alternate on/off in ABBA order so drift on a shared machine falls on both sides.
 * Reports p50/p90/p99 per mode and the CPU time of the service process per request
 * (utime + stime from /proc over the measured window), the steadiest figure on a noisy host.
 *
 *   pnpm bench:telemetry                              # 300 req/s, 8 rounds of 5 s
 *   BENCH_RATE=200 BENCH_ROUNDS=6 BENCH_DURATION_MS=3000 pnpm bench:telemetry
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadResult, LoadTarget } from "./open-loop.ts";
import { runOpenLoop } from "./open-loop.ts";
import { processCpuMs } from "./process-cpu.ts";
import { freePort, startNodeProcess, type NodeProcess } from "@keel/testkit";
import { repoRoot } from "./repo-root.ts";

const rate = Number(process.env.BENCH_RATE ?? 300);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
// Per process, before the first round: V8 optimises the hot path over the first thousands
// of requests, and that compilation runs on the process's own CPU clock.
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 6_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);

type Mode = "on" | "off";
interface Round {
  mode: Mode;
  result: LoadResult;
  cpuMs: number;
  loadAverage: number;
}

const directory = mkdtempSync(join(tmpdir(), "keel-bench-telemetry-"));
const loadAtStart = loadavg();
const simulatorPort = await freePort();
const processes: NodeProcess[] = [];
try {
  processes.push(
    await startNodeProcess({
      cwd: repoRoot,
      name: "simulator",
      entry: "packages/simulator/src/cli.ts",
      args: ["--port", String(simulatorPort), "--ttft", "0", "--per-token", "0"],
      readyUrl: `http://127.0.0.1:${simulatorPort}/_sim/health`,
    }),
  );
  const services = {} as Record<Mode, { managed: NodeProcess; target: LoadTarget; port: number }>;
  for (const mode of ["on", "off"] as const) {
    const configFile = join(directory, `telemetry-${mode}.json`);
    writeFileSync(configFile, JSON.stringify({ telemetry: { enabled: mode === "on", log: { level: "info" } } }));
    const port = await freePort();
    // startProcess sends the service's stdout (where the logs go) to /dev/null: a terminal
    // would make the write cost, not telemetry, dominate.
    const env = {
      KEEL_CONFIG: configFile,
      KEEL_SIMULATOR_PORT: String(simulatorPort),
      KEEL_TRPC_PORT: String(port),
      KEEL_LOG_LEVEL: "info",
      OPENAI_API_KEY: "",
      REDIS_URL: "",
    };
    const managed = await startNodeProcess({
      cwd: repoRoot,
      name: `trpc-telemetry-${mode}`,
      entry: "apps/trpc/src/main.ts",
      env,
      readyUrl: `http://127.0.0.1:${port}/healthz`,
    });
    processes.push(managed);
    const body = JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Write one sentence about lighthouses." }],
      cache: { mode: "bypass" },
    });
    services[mode] = {
      managed,
      port,
      target: { name: `telemetry ${mode}`, url: `http://127.0.0.1:${port}/trpc/ai.generate`, body },
    };
  }
  for (const mode of ["on", "off"] as const) await runOpenLoop(services[mode].target, { rate, durationMs: warmupMs });

  const results: Round[] = [];
  for (let index = 0; index < rounds; index += 1) {
    // ABBA: on off off on on off off on ...
    const mode: Mode = Math.floor((index + 1) / 2) % 2 === 0 ? "on" : "off";
    const { managed, target } = services[mode];
    const before = processCpuMs(managed.child.pid);
    const result = await runOpenLoop(target, { rate, durationMs });
    const cpuMs = processCpuMs(managed.child.pid) - before;
    results.push({ mode, result, cpuMs, loadAverage: loadavg()[0] ?? 0 });
    const { p50, p90, p99, max } = result.latency;
    console.log(
      `round ${index + 1} telemetry ${mode.padEnd(3)} @ ${rate}/s  achieved ${result.achievedRate.toFixed(0)}/s  ok ${result.ok}  errors ${result.errors}` +
        `  p50 ${p50.toFixed(2)}  p90 ${p90.toFixed(2)}  p99 ${p99.toFixed(2)}  max ${max.toFixed(2)} ms  CPU ${(cpuMs / result.sent).toFixed(3)} ms/request  load ${(loadavg()[0] ?? 0).toFixed(2)}`,
    );
  }

  const summary = { on: summarise(results, "on"), off: summarise(results, "off") };
  const recorded = { on: await requestsRecorded(services.on.port), off: await requestsRecorded(services.off.port) };
  console.log(
    `\nTelemetry on vs off, tRPC @ ${rate}/s, ${rounds} rounds of ${durationMs} ms (median over each mode's rounds):`,
  );
  console.log(
    `  ${"".padEnd(14)}${["p50 ms", "p90 ms", "p99 ms", "CPU ms/request"].map((cell) => cell.padStart(16)).join("")}`,
  );
  for (const mode of ["on", "off"] as const)
    console.log(
      `  ${`telemetry ${mode}`.padEnd(14)}${figures(summary[mode])
        .map((cell) => cell.toFixed(3).padStart(16))
        .join("")}`,
    );
  const difference = figures(summary.on).map((value, index) => value - (figures(summary.off)[index] ?? 0));
  console.log(
    `  ${"on - off".padEnd(14)}${difference.map((cell) => `${cell >= 0 ? "+" : ""}${cell.toFixed(3)}`.padStart(16)).join("")}`,
  );
  const spread = (mode: Mode) => summary[mode].cpuSpread.map((value) => value.toFixed(3)).join("–");
  console.log(
    `  CPU ms/request per round: on ${spread("on")}, off ${spread("off")}; rounds that fell below the rate: ${results.filter((round) => round.result.achievedRate < rate * 0.95).length}`,
  );
  console.log(`\nkeel_requests_total on /metrics: telemetry on ${recorded.on}, off ${recorded.off} (off must be 0)`);
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; load average at start ${loadAtStart.map((value) => value.toFixed(2)).join(" ")}, at end ${loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
  );
  const resultsDirectory = join(repoRoot, "bench", "results");
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(
    join(resultsDirectory, `telemetry-${Date.now()}.json`),
    JSON.stringify(
      { rate, durationMs, rounds, loadAtStart, loadAtEnd: loadavg(), summary, difference, recorded, results },
      null,
      2,
    ),
  );
} finally {
  await Promise.all(processes.map((managed) => managed.stop()));
  rmSync(directory, { recursive: true, force: true });
}

/**
 * Each mode's figures as the median over its rounds: one round caught by a burst of other
 * work on a shared machine would drag a mean; a median of four or more shrugs it off.
 */
function summarise(
  all: Round[],
  mode: Mode,
): { p50: number; p90: number; p99: number; cpuMsPerRequest: number; cpuSpread: [number, number] } {
  const mine = all.filter((round) => round.mode === mode);
  const cpu = mine.map((round) => round.cpuMs / round.result.sent);
  return {
    p50: median(mine.map((round) => round.result.latency.p50)),
    p90: median(mine.map((round) => round.result.latency.p90)),
    p99: median(mine.map((round) => round.result.latency.p99)),
    cpuMsPerRequest: median(cpu),
    cpuSpread: [Math.min(...cpu), Math.max(...cpu)],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function figures(summary: ReturnType<typeof summarise>): number[] {
  return [summary.p50, summary.p90, summary.p99, summary.cpuMsPerRequest];
}

/** Sum of keel_requests_total samples: proof that telemetry really was on (or off) in that process. */
async function requestsRecorded(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  let total = 0;
  for (const line of text.split("\n"))
    if (line.startsWith("keel_requests_total")) total += Number(line.slice(line.lastIndexOf(" ") + 1)) || 0;
  return total;
}
