/**
 * Streaming benchmark (`pnpm bench:stream`): open-loop streams through every streaming
 * transport, against a mock upstream that answers at once with a role chunk, 8 content
 * chunks 5 ms apart and a usage chunk. Each service runs alone in its own process pinned
 * to one core; the mock upstream and this load generator share the other. Per target and
 * rate: time to first token and total time percentiles, held rate, errors, CPU per stream
 * and per chunk; then a saturation search per target. The upstream called directly is the
 * baseline. See bench/README.md.
 *
 *   pnpm bench:stream
 *   BENCH_RATES=200,500 BENCH_DURATION_MS=10000 BENCH_TARGETS=upstream,trpc pnpm bench:stream
 *   BENCH_CPU_PROF=1 BENCH_SATURATION=0 pnpm bench:stream    # V8 CPU profiles of the services
 *   BENCH_MODE=cost BENCH_COST_ROUNDS=3 BENCH_BASELINE=/tmp/keel-before pnpm bench:stream   # also a copy from before a change
 *   BENCH_MODE=cost BENCH_CHUNKS=32 pnpm bench:stream          # more content chunks per stream (per-chunk cost)
 *
 * Every stream carries an API key (the services' bootstrap admin key, in a fresh data
 * folder), so the edge's key check is in every figure; BENCH_AUTH=none runs them open.
 * `trpc-generic` (not in the default targets) is ai.stream through tRPC's own SSE producer
 * in the same tRPC process, beside the service's fast path (`trpc`).
 */
import { streamServiceEnv } from "./service-env.ts";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type NodeProcess, startNodeProcess } from "@keel/testkit";
import { processCpuMs } from "../process-cpu.ts";
import { waitForQuiet } from "../process-quiet.ts";
import { repoRoot } from "../repo-root.ts";
import { parseBaselines } from "../baselines.ts";
import { generateBenchKey } from "./bench-key.ts";
import { measureStreamCost, type StreamCost } from "./closed-loop-cost.ts";
import { runOpenLoopStreams, type StreamLoadResult } from "./open-loop-streams.ts";
import {
  graphqlTarget,
  openAiAppEntry,
  openAiTarget,
  type StreamTarget,
  trpcTarget,
  upstreamTarget,
} from "./stream-targets.ts";

const environment = process.env;
const rates = (environment.BENCH_RATES ?? "200,500").split(",").map(Number);
const durationMs = Number(environment.BENCH_DURATION_MS ?? 5_000);
const warmupMs = Number(environment.BENCH_WARMUP_MS ?? 1_000);
const processWarmupMs = Number(environment.BENCH_PROCESS_WARMUP_MS ?? 3_000);
const wanted = (environment.BENCH_TARGETS ?? "upstream,trpc,graphql,openai").split(",");
const saturation = environment.BENCH_SATURATION !== "0";
const saturationMs = Number(environment.BENCH_SATURATION_MS ?? 3_000);
const saturationMax = Number(environment.BENCH_SATURATION_MAX ?? 4_000);
const heldTtftP99Ms = Number(environment.BENCH_HELD_TTFT_P99_MS ?? 100);
const serviceCpu = environment.BENCH_SERVICE_CPU ?? "0";
const loadCpu = environment.BENCH_LOAD_CPU ?? "1";
const profileDirectory = join(repoRoot, "bench", "results", "profiles");
/** Content chunks per stream (the mock upstream's); two runs with different counts split fixed from per-chunk cost. */
const chunksPerStream = Number(environment.BENCH_CHUNKS ?? 8);
/** `cost`: only the closed-loop CPU per stream (BENCH_COST_STREAMS streams, BENCH_COST_CONCURRENCY open at once). */
const costOnly = environment.BENCH_MODE === "cost";
const costStreams = Number(environment.BENCH_COST_STREAMS ?? 3_000);
const costConcurrency = Number(environment.BENCH_COST_CONCURRENCY ?? 8);
/** Cost mode: every target measured this many times, in an order rotated each round, so drift hits all alike. */
const costRounds = Number(environment.BENCH_COST_ROUNDS ?? 1);
const withKey = environment.BENCH_AUTH !== "none";
/**
 * Copies of the repository from before a change (`label=dir`, with node_modules installed),
 * whose services run beside this checkout's, as `trpc@label` and so on: the same run, the
 * same upstream, the same load, so their CPU per stream compares directly.
 */
const baselines = parseBaselines(environment.BENCH_BASELINE);

/** Pins every thread of a process to one CPU (threads it starts later inherit it). */
function pin(pid: number | undefined, cpu: string): void {
  if (pid === undefined) return;
  const result = spawnSync("taskset", ["-a", "-p", "-c", cpu, String(pid)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`taskset failed for ${pid}: ${result.stderr}`);
}

pin(process.pid, loadCpu);
const [upstreamPort, trpcPort, graphqlPort, openAiPort] = [
  await freePort(),
  await freePort(),
  await freePort(),
  await freePort(),
];
const benchKey = withKey ? generateBenchKey() : undefined;
const serviceEnv = streamServiceEnv({
  ports: { upstream: upstreamPort, trpc: trpcPort, graphql: graphqlPort, openAi: openAiPort },
  dataDirPrefix: "keel-bench-stream-",
  adminKey: benchKey,
});
const auth = { authorization: benchKey === undefined ? undefined : `Bearer ${benchKey}` };
if (environment.BENCH_CPU_PROF === "1") {
  mkdirSync(profileDirectory, { recursive: true });
}
const serviceNodeArgs = environment.BENCH_CPU_PROF === "1" ? ["--cpu-prof", `--cpu-prof-dir=${profileDirectory}`] : [];

const processes = new Map<string, NodeProcess>();
const targets: StreamTarget[] = [];
const results: Array<StreamLoadResult & { cpuMsPerStream: number; cpuUsPerChunk: number; held: boolean }> = [];
const costs: StreamCost[] = [];
const rounds: StreamCost[][] = [];
/** Every service process to start: this checkout's, then each baseline copy's. */
const services: Array<{
  name: string;
  entry: string | undefined;
  port: number;
  root: string;
  label: string;
  env: Record<string, string>;
}> = [];
const saturationPoints: Record<string, { held: number; notHeld: number | undefined }> = {};
try {
  const upstream = await startNodeProcess({
    cwd: repoRoot,
    name: "upstream",
    entry: "bench/src/stream/mock-upstream.ts",
    args: ["--port", String(upstreamPort), "--chunks", String(chunksPerStream), "--gap-ms", "5"],
    readyUrl: `http://127.0.0.1:${upstreamPort}/_sim/health`,
  });
  processes.set("upstream", upstream);
  pin(upstream.child.pid, loadCpu);
  if (wanted.includes("upstream")) targets.push(upstreamTarget(upstreamPort));

  for (const copy of [{ label: "", root: repoRoot }, ...baselines]) {
    const ports = copy.root === repoRoot ? [trpcPort, graphqlPort, openAiPort] : [0, 0, 0];
    const [trpcAt, graphqlAt, openAiAt] = await Promise.all(ports.map((port) => (port === 0 ? freePort() : port)));
    const suffix = copy.label === "" ? "" : `@${copy.label}`;
    const { root } = copy;
    // A copy's services listen on their own ports and keep their keys in their own folder.
    const env =
      copy.root === repoRoot
        ? serviceEnv
        : {
            ...serviceEnv,
            KEEL_TRPC_PORT: String(trpcAt),
            KEEL_GRAPHQL_PORT: String(graphqlAt),
            KEEL_OPENAI_PORT: String(openAiAt),
            KEEL_DATA_DIR: mkdtempSync(join(tmpdir(), "keel-bench-stream-")),
          };
    services.push(
      { name: `trpc${suffix}`, entry: "apps/trpc/src/main.ts", port: trpcAt as number, root, label: copy.label, env },
      {
        name: `graphql${suffix}`,
        entry: "apps/graphql/src/main.ts",
        port: graphqlAt as number,
        root,
        label: copy.label,
        env,
      },
      { name: `openai${suffix}`, entry: openAiAppEntry(root), port: openAiAt as number, root, label: copy.label, env },
    );
  }
  for (const service of services) {
    const kind = service.name.split("@")[0] as string;
    const suffix = service.label === "" ? "" : `@${service.label}`;
    const named = (target: StreamTarget): StreamTarget =>
      suffix === "" ? target : { ...target, name: `${target.name}${suffix}`, processName: service.name };
    // trpc-generic runs in the tRPC process too.
    if (!wanted.includes(kind) && !(kind === "trpc" && wanted.includes("trpc-generic"))) continue;
    if (!service.entry) {
      console.log(`${service.name}: not in this checkout, skipped`);
      continue;
    }
    const started = await startNodeProcess({
      cwd: service.root,
      name: service.name,
      entry: service.entry,
      env: service.env,
      nodeArgs: serviceNodeArgs,
      readyUrl: `http://127.0.0.1:${service.port}/healthz`,
      // A busy shared machine can take a while to load a service (tsx compiles it on the fly).
      readyTimeoutMs: 90_000,
    });
    processes.set(service.name, started);
    pin(started.child.pid, serviceCpu);
    if (kind === "trpc" && wanted.includes("trpc")) targets.push(named(trpcTarget(service.port, auth)));
    if (kind === "trpc" && wanted.includes("trpc-generic"))
      targets.push(named(trpcTarget(service.port, { ...auth, generic: true })));
    if (kind === "graphql") targets.push(named(await graphqlTarget(service.port, auth)));
    if (kind === "openai") targets.push(named(openAiTarget(service.port, auth)));
  }

  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}; services on CPU ${serviceCpu}, upstream and load on CPU ${loadCpu}; ${withKey ? "every stream with an API key" : "services open (no key)"}`,
  );
  // Unmeasured: V8 optimises the hot path before the first measured second.
  for (const target of targets)
    await runOpenLoopStreams(target.name, target.call, { rate: 200, durationMs: processWarmupMs });
  for (let round = 0; round < costRounds; round += 1) {
    const measured: StreamCost[] = [];
    // Rotated: each round starts one target later, so no copy always runs first or last.
    for (let index = 0; index < targets.length; index += 1) {
      const target = targets[(index + round) % targets.length] as StreamTarget;
      const pid = processes.get(target.processName)?.child.pid;
      const cost = await measureStreamCost(target.name, target.call, {
        streams: costStreams,
        concurrency: costConcurrency,
        cpuMs: () => processCpuMs(pid),
      });
      measured.push(cost);
      console.log(`round ${round + 1}: ${formatCost(cost, measured)}`);
    }
    rounds.push(measured);
  }
  costs.push(...combineRounds(rounds));
  for (const target of targets) {
    if (costOnly) continue;
    for (const rate of rates) {
      await runOpenLoopStreams(target.name, target.call, { rate, durationMs: warmupMs });
      const result = await measure(target, rate, durationMs);
      results.push(result);
      console.log(formatRow(result));
    }
  }
  if (saturation && !costOnly) {
    console.log(
      `\nSaturation search (${saturationMs / 1000} s per step; held = ≥ 95 % of the rate, < 0.1 % errors, TTFT p99 ≤ ${heldTtftP99Ms} ms):`,
    );
    for (const target of targets) saturationPoints[target.name] = await searchSaturation(target);
  }
  printSummary();
  const directory = join(repoRoot, "bench", "results");
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, `stream-${Date.now()}.json`),
    JSON.stringify(
      {
        rates,
        durationMs,
        chunksPerStream,
        withKey,
        loadAverage: loadavg(),
        costs,
        costRounds: rounds,
        results,
        saturation: saturationPoints,
      },
      null,
      2,
    ),
  );
} finally {
  for (const target of targets) target.close();
  await Promise.all([...processes.values()].map((managed) => managed.stop()));
  for (const folder of new Set([serviceEnv.KEEL_DATA_DIR, ...services.map((service) => service.env.KEEL_DATA_DIR)]))
    rmSync(folder as string, { recursive: true, force: true });
  if (environment.BENCH_CPU_PROF === "1") console.log(`CPU profiles: ${profileDirectory}`);
}

async function measure(target: StreamTarget, rate: number, runMs: number) {
  const pid = processes.get(target.processName)?.child.pid;
  const cpuBefore = processCpuMs(pid);
  const result = await runOpenLoopStreams(target.name, target.call, { rate, durationMs: runMs });
  const cpuMs = processCpuMs(pid) - cpuBefore;
  const streams = Math.max(1, result.ok + result.errors);
  return {
    ...result,
    cpuMsPerStream: cpuMs / streams,
    cpuUsPerChunk: (cpuMs * 1000) / (streams * chunksPerStream),
    held:
      result.achievedRate >= rate * 0.95 && result.errors <= result.sent * 0.001 && result.ttft.p99 <= heldTtftP99Ms,
  };
}

/**
 * Doubles the rate until a step is not held, then halves the gap three times. An unmeasured
 * run at the first rate comes first, and each step starts once the service is quiet again
 * (the previous step's streams, including those its clients gave up on, have ended).
 */
async function searchSaturation(target: StreamTarget): Promise<{ held: number; notHeld: number | undefined }> {
  let held = 0;
  let notHeld: number | undefined;
  let rate = Number(environment.BENCH_SATURATION_START ?? 250);
  const pid = processes.get(target.processName)?.child.pid;
  await runOpenLoopStreams(target.name, target.call, { rate, durationMs: Math.max(warmupMs, 1_000) });
  const step = async (stepRate: number) => {
    await waitForQuiet(pid);
    const result = await measure(target, stepRate, saturationMs);
    console.log(`  ${formatRow(result)}`);
    return result;
  };
  while (rate <= saturationMax) {
    const result = await step(rate);
    if (!result.held) {
      notHeld = rate;
      break;
    }
    held = rate;
    rate *= 2;
  }
  for (let round = 0; round < 3 && notHeld !== undefined && notHeld - held > 50; round += 1) {
    rate = Math.round((held + notHeld) / 2);
    if ((await step(rate)).held) held = rate;
    else notHeld = rate;
  }
  console.log(
    `  ${target.name}: holds ${held}/s${notHeld === undefined ? ` (the search stops at ${saturationMax}/s)` : `, not ${notHeld}/s`}`,
  );
  return { held, notHeld };
}

function formatRow(result: (typeof results)[number]): string {
  const failures = Object.entries(result.failures)
    .map(([reason, count]) => `${reason}×${count}`)
    .join(" ");
  return [
    `${result.target.padEnd(9)} ${String(result.rate).padStart(5)}/s`,
    `achieved ${result.achievedRate.toFixed(0).padStart(5)}/s${result.held ? "" : " (not held)"}`,
    `ok ${result.ok} errors ${result.errors}${failures ? ` [${failures}]` : ""}`,
    `TTFT p50/p90/p99/max ${fixed(result.ttft.p50)}/${fixed(result.ttft.p90)}/${fixed(result.ttft.p99)}/${fixed(result.ttft.max)}`,
    `total p50/p99 ${fixed(result.total.p50)}/${fixed(result.total.p99)} ms`,
    `CPU ${result.cpuMsPerStream.toFixed(3)} ms/stream ${result.cpuUsPerChunk.toFixed(1)} µs/chunk`,
  ].join("  ");
}

/** Per target over every round: CPU summed over streams summed (what a long single run would have measured). */
function combineRounds(rounds: StreamCost[][]): StreamCost[] {
  return targets.map((target) => {
    const own = rounds.flat().filter((cost) => cost.target === target.name);
    const ok = own.reduce((sum, cost) => sum + cost.ok, 0);
    const cpuMs = own.reduce((sum, cost) => sum + cost.cpuMsPerStream * Math.max(1, cost.ok), 0);
    return {
      target: target.name,
      streams: own.reduce((sum, cost) => sum + cost.streams, 0),
      ok,
      cpuMsPerStream: cpuMs / Math.max(1, ok),
      wallMs: own.reduce((sum, cost) => sum + cost.wallMs, 0),
    };
  });
}

function formatCost(cost: StreamCost, sameRound: StreamCost[] = costs): string {
  const base = sameRound.find((other) => other.target === "upstream");
  const ratio =
    base && cost.target !== "upstream"
      ? ` (${(cost.cpuMsPerStream / base.cpuMsPerStream).toFixed(1)}× the upstream's)`
      : "";
  return `${cost.target.padEnd(9)} closed loop, ${cost.streams} streams ${costConcurrency} at a time: ok ${cost.ok}  CPU ${cost.cpuMsPerStream.toFixed(3)} ms/stream ${((cost.cpuMsPerStream * 1000) / chunksPerStream).toFixed(1)} µs/chunk${ratio}`;
}

function printSummary(): void {
  console.log(
    `\n${chunksPerStream} content chunks per stream; ${rounds.length} round(s) of ${costStreams} streams per target`,
  );
  console.log("| target | CPU per stream (closed loop) | each round | CPU per chunk | × upstream | streams ok |");
  console.log("|---|---|---|---|---|---|");
  const upstreamCost = costs.find((cost) => cost.target === "upstream");
  for (const cost of costs) {
    const ratio = upstreamCost ? (cost.cpuMsPerStream / upstreamCost.cpuMsPerStream).toFixed(1) : "—";
    const each = rounds
      .map((round) => round.find((other) => other.target === cost.target)?.cpuMsPerStream.toFixed(2))
      .join(", ");
    console.log(
      `| ${cost.target} | ${cost.cpuMsPerStream.toFixed(2)} ms | ${each} | ${((cost.cpuMsPerStream * 1000) / chunksPerStream).toFixed(0)} µs | ${ratio} | ${cost.ok}/${cost.streams} |`,
    );
  }
  if (costOnly) return;
  console.log(
    "\n| target | rate | held | TTFT p50 | TTFT p99 | total p50 | total p99 | TTFT p99 over upstream | CPU per stream | CPU per chunk | errors |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const result of results) {
    const base = results.find((other) => other.target === "upstream" && other.rate === result.rate);
    const over = base && result.target !== "upstream" ? `+${fixed(result.ttft.p99 - base.ttft.p99)} ms` : "—";
    const heldText = result.held ? "yes" : `**${result.achievedRate.toFixed(0)}/s**`;
    console.log(
      `| ${result.target} | ${result.rate}/s | ${heldText} | ${fixed(result.ttft.p50)} ms | ${fixed(result.ttft.p99)} ms | ${fixed(result.total.p50)} ms | ${fixed(result.total.p99)} ms | ${over} | ${result.cpuMsPerStream.toFixed(2)} ms | ${result.cpuUsPerChunk.toFixed(0)} µs | ${result.errors} |`,
    );
  }
  if (saturation) {
    console.log(
      `\nSaturation (held / not held): ${Object.entries(saturationPoints)
        .map(([name, point]) => `${name} ${point.held}/s / ${point.notHeld ?? "—"}`)
        .join(", ")}`,
    );
  }
  console.log(
    `Load average at the end: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
  );
}

function fixed(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
