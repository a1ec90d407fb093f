/**
 * Request-path benchmark (issue 14): the bare mock upstream, a bare node:http forwarder,
 * the tRPC service and the GraphQL service, each in its own process; a gateway pinned to
 * CPU 0, the mock upstream and this load generator to CPU 1 (when `taskset` exists).
 * Full default pipeline: telemetry on (log lines at info to /dev/null), safety on, cache on
 * with every request a miss (a unique temperature-0 message per call).
 *
 *   pnpm bench:overhead                                   # the whole table, about 12 minutes
 *   BENCH_STAGES=fixed BENCH_RATES=500 pnpm bench:overhead
 *   BENCH_SOAK=1000000 pnpm bench:overhead               # soak only: RSS and heap every 10 s
 *   BENCH_MODE=cost pnpm bench:overhead                  # CPU per request of each target, one run, low rate
 *   BENCH_MODE=cost BENCH_BASELINE=/tmp/keel-before pnpm bench:overhead   # also a built copy from before a change
 *   BENCH_MODE=cost BENCH_BASELINE=a=/tmp/keel-a,b=/tmp/keel-b pnpm bench:overhead   # several, as trpc@a, trpc@b
 *
 * bench/README.md lists every setting and explains the output.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { hasTaskset, startRedisServer, type NodeProcess, type RedisServerHandle } from "@keel/testkit";
import { parseBaselines } from "./baselines.ts";
import { runCacheHitStage, type CacheHitStage } from "./cache-hit-stage.ts";
import { formatCostFigures, runCostRounds, type CostFigure } from "./cost-rounds.ts";
import { runMeasuredWindow, type WindowResult } from "./measured-window.ts";
import { pinThisProcess } from "./pin-this-process.ts";
import { repoRoot } from "./repo-root.ts";
import { formatWindow, printSummary } from "./request-path-report.ts";
import { startGateway, startUpstream, type Gateway, type GatewayKind } from "./request-path-processes.ts";
import { chatCompletionsTarget } from "./request-targets.ts";
import { searchSaturation, type SaturationResult } from "./saturation-search.ts";
import { runSoak, type SoakSample } from "./soak.ts";

const settings = {
  rates: (process.env.BENCH_RATES ?? "200,500,1000,2000").split(",").map(Number),
  durationMs: Number(process.env.BENCH_DURATION_MS ?? 10_000),
  warmupMs: Number(process.env.BENCH_WARMUP_MS ?? 1_000),
  processWarmupMs: Number(process.env.BENCH_PROCESS_WARMUP_MS ?? 8_000),
  processWarmupRate: Number(process.env.BENCH_PROCESS_WARMUP_RATE ?? 500),
  searchMs: Number(process.env.BENCH_SEARCH_MS ?? 5_000),
  stages: new Set((process.env.BENCH_STAGES ?? "fixed,search,cache,two-process").split(",")),
  gateways: (process.env.BENCH_GATEWAYS ?? "forwarder,trpc,graphql").split(",") as GatewayKind[],
  soakRequests: Number(process.env.BENCH_SOAK ?? 0),
  soakRate: Number(process.env.BENCH_SOAK_RATE ?? 1_000),
  /** "cost": only CPU per request of every gateway, in rotated rounds at a low rate (comparable on a shared machine). */
  mode: process.env.BENCH_MODE === "cost" ? ("cost" as const) : ("table" as const),
  costRate: Number(process.env.BENCH_COST_RATE ?? 100),
  costRounds: Number(process.env.BENCH_COST_ROUNDS ?? 6),
  /**
   * Built copies of the repository from before changes (cost mode): "dir" runs its services as
   * "<kind>-before"; "label=dir,label=dir" as "<kind>@label", each in the same rounds.
   */
  baselines: parseBaselines(process.env.BENCH_BASELINE).map(({ label, root, labelled }) => ({
    suffix: labelled ? `@${label}` : "-before",
    root,
  })),
  /** "source" (node --import tsx src/main.ts) or "dist" (plain node on `pnpm build`'s output). */
  build: process.env.BENCH_BUILD === "source" ? ("source" as const) : ("dist" as const),
  nodeArgs: (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((flag) => flag !== ""),
  /** Also drive the tRPC process through tRPC's node adapter (BENCH_ADAPTER_BASELINE=0 to skip). */
  adapterBaseline: process.env.BENCH_ADAPTER_BASELINE !== "0",
};

// BENCH_PIN=0 leaves every process to the scheduler: on a machine other work keeps busy,
// a pinned process waits for its one CPU while the other may be free.
const pinned = process.env.BENCH_PIN !== "0" && hasTaskset() && cpus().length >= 2 && pinThisProcess(1);
const GATEWAY_CPU = pinned ? 0 : undefined;
const LOAD_CPU = pinned ? 1 : undefined;
const loadAtStart = loadavg();
const workDirectory = mkdtempSync(join(tmpdir(), "keel-bench-request-path-"));
const started: NodeProcess[] = [];
let redis: RedisServerHandle | undefined;
const fixed: WindowResult[] = [];
const saturation: Record<string, SaturationResult> = {};
let cacheHits: CacheHitStage | undefined;
let twoProcess: { one: SaturationResult; two: SaturationResult } | undefined;
let soak: Record<string, SoakSample[]> | undefined;
let cost: CostFigure[] | undefined;

try {
  const upstream = await startUpstream({ cpu: LOAD_CPU });
  started.push(upstream.process);
  const gatewayOptions = {
    upstreamPort: upstream.port,
    build: settings.build,
    nodeArgs: settings.nodeArgs,
    workDirectory,
  };

  if (settings.mode === "cost") {
    const gateways: Gateway[] = [];
    for (const kind of settings.gateways) {
      const gateway = await startGateway(kind, { ...gatewayOptions, cpu: GATEWAY_CPU });
      started.push(...gateway.processes);
      gateways.push(gateway);
      if (kind === "forwarder") continue;
      for (const baseline of settings.baselines) {
        const before = await startGateway(kind, {
          ...gatewayOptions,
          cpu: GATEWAY_CPU,
          root: baseline.root,
          name: `${kind}${baseline.suffix}`,
        });
        started.push(...before.processes);
        gateways.push(before);
      }
    }
    for (const gateway of gateways)
      await runMeasuredWindow({
        ...windowOf(gateway),
        rate: settings.processWarmupRate,
        durationMs: settings.processWarmupMs,
        warmupMs: 0,
      });
    cost = await runCostRounds({
      gateways,
      upstream: started[0],
      rate: settings.costRate,
      durationMs: settings.durationMs,
      rounds: settings.costRounds,
      onWindow: (result) => console.log(formatWindow(result)),
    });
    console.log(formatCostFigures(cost));
  } else if (settings.soakRequests > 0) {
    soak = {};
    for (const kind of settings.gateways.filter((name) => name !== "forwarder")) {
      const gateway = await startGateway(kind, { ...gatewayOptions, cpu: GATEWAY_CPU, defaultMetrics: true });
      started.push(...gateway.processes);
      soak[kind] = await runSoak({
        gateway,
        rate: settings.soakRate,
        requests: settings.soakRequests,
        onSample: (sample) => console.log(`${kind} soak ${JSON.stringify(sample)}`),
      });
      await stopAll(gateway.processes);
    }
  } else {
    const gateways: Gateway[] = [];
    const bareUpstream: Gateway = {
      kind: "upstream",
      processes: [upstream.process],
      target: chatCompletionsTarget("upstream", `${upstream.origin}/v1/chat/completions`),
    };
    for (const kind of settings.gateways) {
      const gateway = await startGateway(kind, { ...gatewayOptions, cpu: GATEWAY_CPU });
      started.push(...gateway.processes);
      gateways.push(gateway);
    }
    // The same tRPC process through tRPC's own node adapter (a chunked body is left to it):
    // the direct mutation path's before and after, in one run.
    const trpc = gateways.find((gateway) => gateway.kind === "trpc");
    const adapter: Gateway[] =
      trpc && settings.adapterBaseline
        ? [{ ...trpc, target: { ...trpc.target, name: "trpc-adapter", chunked: true } }]
        : [];
    const all = [bareUpstream, ...gateways, ...adapter];
    // V8 optimises the hot path over the first thousands of requests; that is not what we measure.
    for (const gateway of all)
      await runMeasuredWindow({
        ...windowOf(gateway),
        rate: settings.processWarmupRate,
        durationMs: settings.processWarmupMs,
        warmupMs: 0,
      });

    if (settings.stages.has("fixed")) {
      for (const rate of settings.rates) {
        for (const gateway of all) {
          const result = await runMeasuredWindow({ ...windowOf(gateway), rate, durationMs: settings.durationMs });
          fixed.push(result);
          console.log(formatWindow(result));
        }
      }
    }
    if (settings.stages.has("search")) {
      for (const gateway of all) {
        saturation[gateway.target.name] = await searchSaturation(
          { ...windowOf(gateway), durationMs: settings.searchMs },
          { startRate: 500, maxRate: 8_000 },
        );
        for (const probe of saturation[gateway.target.name]?.probes ?? []) console.log(`search ${formatWindow(probe)}`);
      }
    }
    await stopAll(gateways.flatMap((gateway) => gateway.processes));

    if (settings.stages.has("cache") || settings.stages.has("two-process")) redis = await startRedisServer();
    if (redis && settings.stages.has("cache")) {
      const gateway = await startGateway("trpc", { ...gatewayOptions, cpu: GATEWAY_CPU, redisUrl: redis.url });
      started.push(...gateway.processes);
      cacheHits = await runCacheHitStage({
        gateway,
        redisUrl: redis.url,
        rate: 1_000,
        durationMs: settings.durationMs,
      });
      await stopAll(gateway.processes);
    }
    if (redis && settings.stages.has("two-process")) {
      // Both on Redis: one process, then two (one per CPU) taking the calls in turn.
      const one = await startGateway("trpc", { ...gatewayOptions, cpu: GATEWAY_CPU, redisUrl: redis.url });
      started.push(...one.processes);
      await runMeasuredWindow({
        ...windowOf(one),
        rate: settings.processWarmupRate,
        durationMs: settings.processWarmupMs,
        warmupMs: 0,
      });
      const oneResult = await searchSaturation(
        { ...windowOf(one), durationMs: settings.searchMs },
        { startRate: 500, maxRate: 8_000 },
      );
      await stopAll(one.processes);
      const two = await startGateway("trpc", {
        ...gatewayOptions,
        cpu: [GATEWAY_CPU, LOAD_CPU],
        redisUrl: redis.url,
      });
      started.push(...two.processes);
      await runMeasuredWindow({
        ...windowOf(two),
        rate: settings.processWarmupRate,
        durationMs: settings.processWarmupMs,
        warmupMs: 0,
      });
      const twoResult = await searchSaturation(
        { ...windowOf(two), durationMs: settings.searchMs },
        { startRate: 500, maxRate: 8_000 },
      );
      twoProcess = { one: oneResult, two: twoResult };
      for (const probe of [...oneResult.probes, ...twoResult.probes]) console.log(`two-process ${formatWindow(probe)}`);
      await stopAll(two.processes);
    }
  }

  const machine = {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
    node: process.version,
    pinned,
    build: settings.build,
    loadAverage: { start: loadAtStart, end: loadavg() },
  };
  if (cost) console.log(`machine ${JSON.stringify(machine)}`);
  else printSummary({ fixed, saturation, cacheHits, twoProcess, soak, machine, rates: settings.rates });
  const directory = join(repoRoot, "bench", "results");
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, `request-path-${Date.now()}.json`),
    JSON.stringify(
      {
        settings: { ...settings, stages: [...settings.stages] },
        machine,
        fixed,
        saturation,
        cacheHits,
        twoProcess,
        soak,
        cost,
      },
      null,
      2,
    ),
  );
} finally {
  await stopAll(started);
  await redis?.stop();
}

function windowOf(gateway: Gateway) {
  return {
    target: gateway.target,
    processes: gateway.processes,
    upstream: started[0],
    durationMs: settings.durationMs,
    warmupMs: settings.warmupMs,
  };
}

async function stopAll(processes: readonly NodeProcess[]): Promise<void> {
  await Promise.all(processes.map((managed) => managed.stop()));
}
