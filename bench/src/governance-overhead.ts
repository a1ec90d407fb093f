/**
 * Governance overhead: what authentication and the limit check add to one request. In one
 * process, sequential requests through the services' shared edge and the pipeline, each
 * an exact-cache hit (no upstream call, so the pipeline's own path is all that is timed):
 *
 *   off        auth off, no limits, cache in memory: the baseline of `memory`
 *   memory     a key verified at the edge, key and tenant limits (requests, tokens, concurrency) in memory
 *   off-redis  auth off, no limits, cache on Redis: the baseline of `redis` and `budget`
 *   redis      keys and limits on Redis (one Lua round trip per admission, one per release)
 *   budget     redis plus a tenant budget (reserve before, settle after: two more round trips)
 *
 * Modes run in rounds in a rotating order, so drift on a shared machine falls on every
 * mode. Prints p50/p99 per mode and the difference to `off`, and the process's RSS.
 *
 *   pnpm --filter @keel/bench bench:governance          # 8 rounds of 2,500 requests per mode
 *   BENCH_ROUNDS=4 BENCH_REQUESTS=1000 pnpm --filter @keel/bench bench:governance
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createPipeline, createServiceEdge, parseConfig, type KeelConfigInput, type Pipeline } from "@keel/core";
import { startSimulator } from "@keel/simulator";
import { percentile } from "./percentile.ts";
import { startRedisServer } from "@keel/testkit";

const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const requestsPerRound = Number(process.env.BENCH_REQUESTS ?? 2_500);
const warmup = Number(process.env.BENCH_WARMUP ?? 5_000);

type Mode = "off" | "memory" | "off-redis" | "redis" | "budget";
const MODES: Mode[] = ["off", "memory", "off-redis", "redis", "budget"];
/** What each mode is compared with: the same cache, without governance. */
const BASELINE: Record<Mode, Mode> = {
  off: "off",
  memory: "off",
  "off-redis": "off-redis",
  redis: "off-redis",
  budget: "off-redis",
};
const onRedis = (mode: Mode) => mode === "off-redis" || mode === "redis" || mode === "budget";
const governed = (mode: Mode) => mode === "memory" || mode === "redis" || mode === "budget";

interface Setup {
  pipeline: Pipeline;
  run: () => Promise<void>;
}

const simulator = await startSimulator({ port: 0 });
const redis = await startRedisServer();
const dataDir = mkdtempSync(join(tmpdir(), "keel-bench-governance-"));
const setups = new Map<Mode, Setup>();
try {
  for (const mode of MODES) setups.set(mode, await setUp(mode));
  const samples = new Map<Mode, number[]>(MODES.map((mode) => [mode, []]));
  for (const setup of setups.values()) for (let index = 0; index < warmup; index++) await setup.run();
  const loadAtStart = loadavg()[0] ?? 0;
  for (let round = 0; round < rounds; round++) {
    // A rotating order: each mode runs first, second, third and last equally often.
    const order = MODES.map((_, index) => MODES[(index + round) % MODES.length] as Mode);
    for (const mode of order) {
      const setup = setups.get(mode) as Setup;
      const times = samples.get(mode) as number[];
      for (let index = 0; index < requestsPerRound; index++) {
        const started = performance.now();
        await setup.run();
        times.push(performance.now() - started);
      }
    }
  }
  const figures = new Map<Mode, { p50: number; p99: number }>();
  for (const [mode, times] of samples) {
    times.sort((left, right) => left - right);
    figures.set(mode, { p50: percentile(times, 0.5) * 1_000, p99: percentile(times, 0.99) * 1_000 });
  }
  console.log(`µs per request (edge + pipeline, exact-cache hit), ${rounds} × ${requestsPerRound} per mode:\n`);
  console.log("| mode      | p50   | p99   | added p50 | added p99 |");
  console.log("| --------- | ----- | ----- | --------- | --------- |");
  for (const [mode, figure] of figures) {
    const base = figures.get(BASELINE[mode]) as { p50: number; p99: number };
    const added = (value: number) => (governed(mode) ? `${value >= 0 ? "+" : ""}${value.toFixed(0)}` : "—");
    console.log(
      `| ${mode.padEnd(9)} | ${figure.p50.toFixed(0).padStart(5)} | ${figure.p99.toFixed(0).padStart(5)} | ${added(figure.p50 - base.p50).padStart(9)} | ${added(figure.p99 - base.p99).padStart(9)} |`,
    );
  }
  const memory = process.memoryUsage();
  console.log(
    `\nRSS ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB (the token counter's o200k table is loaded once the tokens-per-minute limit needs it)`,
  );
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load average ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at end`,
  );
} finally {
  await Promise.all([...setups.values()].map((setup) => setup.pipeline.close()));
  await Promise.all([simulator.close(), redis.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
}

/** One mode's pipeline and edge, its cache filled, and the request to time. */
async function setUp(mode: Mode): Promise<Setup> {
  const limits = { requestsPerMinute: 1_000_000_000, tokensPerMinute: 1_000_000_000_000, concurrency: 1_000 };
  const config: KeelConfigInput = {
    providers: { sim: { baseURL: simulator.url, apiKey: "bench" } },
    models: { small: { targets: ["sim/gpt-4o-mini"] } },
    telemetry: { log: { level: "warn" }, alerts: false },
    dataDir: join(dataDir, mode),
    auth: { mode: governed(mode) ? "keys" : "none" },
    ...(governed(mode)
      ? { tenants: { acme: { limits, ...(mode === "budget" ? { budget: { dailyUsd: 1_000_000 } } : {}) } } }
      : {}),
    ...(onRedis(mode) ? { redis: { url: redis.url, keyPrefix: `bench-${mode}:` } } : {}),
  };
  const pipeline = createPipeline(parseConfig(config));
  await pipeline.governance.ready();
  const edge = createServiceEdge(pipeline, { service: "bench" });
  const authorization = governed(mode)
    ? `Bearer ${(await pipeline.governance.keys.create({ tenant: "acme", role: "caller", name: "bench", limits })).key}`
    : undefined;
  const request = {
    model: "small",
    temperature: 0,
    maxTokens: 64,
    messages: [{ role: "user" as const, content: "Write one sentence about lighthouses." }],
  };
  const run = async () => {
    const principal = await edge.authenticate(authorization);
    await pipeline.generate(request, edge.callOptions(principal));
  };
  await run(); // the one upstream call: every timed request is a cache hit
  return { pipeline, run };
}
