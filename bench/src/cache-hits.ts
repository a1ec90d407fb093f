/**
 * Cache-hit benchmark: open-loop load at fixed rates through each service asking the same
 * temperature-0 request again and again (an exact-cache hit after one priming request),
 * beside the same request with the cache bypassed (simulator at 0 ms) and beside a bare
 * Redis GET of the cached entry on the same machine (the floor). The services run twice:
 * with the in-memory cache, then with REDIS_URL pointing at a redis-server started here.
 *
 *   pnpm bench:cache                                  # 200 and 500 req/s, 5 s each after 1 s warm-up
 *   BENCH_RATES=100,300 BENCH_DURATION_MS=3000 pnpm bench:cache
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { LoadResult, LoadTarget } from "./open-loop.ts";
import { runOpenLoop } from "./open-loop.ts";
import { runOpenLoopCalls } from "./open-loop-calls.ts";
import { freePort, startNodeProcess, startRedisServer, type NodeProcess } from "@keel/testkit";
import { repoRoot } from "./repo-root.ts";

const rates = (process.env.BENCH_RATES ?? "200,500").split(",").map(Number);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1_000);
// Once per fresh service process, before any cell: until V8 has optimised the hot path the
// first cell measures compilation, not the cache.
const processWarmupMs = Number(process.env.BENCH_PROCESS_WARMUP_MS ?? 4_000);

type Mode = "hit" | "bypass";
interface Row {
  backend: "memory" | "redis" | "floor";
  service: string;
  mode: Mode | "GET";
  result: LoadResult;
}

const redis = await startRedisServer();
const simulatorPort = await freePort();
const simulator = await startNodeProcess({
  cwd: repoRoot,
  name: "simulator",
  entry: "packages/simulator/src/cli.ts",
  args: ["--port", String(simulatorPort), "--ttft", "0", "--per-token", "0"],
  readyUrl: `http://127.0.0.1:${simulatorPort}/_sim/health`,
});
const services: NodeProcess[] = [];
const rows: Row[] = [];
let floorEntry = { key: "", bytes: 0 };
try {
  for (const backend of ["memory", "redis"] as const) {
    const [trpcPort, graphqlPort] = [await freePort(), await freePort()];
    // KEEL_CONFIG empty: the embedded default routes to the simulator; logs at warn so the
    // hit path is not measured through a log line per request.
    const env: Record<string, string> = {
      KEEL_SIMULATOR_PORT: String(simulatorPort),
      KEEL_TRPC_PORT: String(trpcPort),
      KEEL_GRAPHQL_PORT: String(graphqlPort),
      OPENAI_API_KEY: "",
      KEEL_CONFIG: "",
      KEEL_LOG_LEVEL: "warn",
      REDIS_URL: backend === "redis" ? redis.url : "",
    };
    services.push(
      await startNodeProcess({
        cwd: repoRoot,
        name: `trpc-${backend}`,
        entry: "apps/trpc/src/main.ts",
        env,
        readyUrl: `http://127.0.0.1:${trpcPort}/healthz`,
      }),
    );
    services.push(
      await startNodeProcess({
        cwd: repoRoot,
        name: `graphql-${backend}`,
        entry: "apps/graphql/src/main.ts",
        env,
        readyUrl: `http://127.0.0.1:${graphqlPort}/healthz`,
      }),
    );
    const targets = { trpc: trpcTargets(trpcPort), graphql: graphqlTargets(graphqlPort) };
    for (const [service, target] of Object.entries(targets)) {
      await prime(service, target.hit);
      for (const mode of ["hit", "bypass"] as const)
        await runOpenLoop(target[mode], { rate: rates[0] ?? 200, durationMs: processWarmupMs / 2 });
    }
    for (const rate of rates) {
      for (const [service, target] of Object.entries(targets)) {
        for (const mode of ["hit", "bypass"] as const) {
          await runOpenLoop(target[mode], { rate, durationMs: warmupMs });
          const result = await runOpenLoop(target[mode], { rate, durationMs });
          rows.push({ backend, service, mode, result });
          console.log(formatRow(rows.at(-1) as Row));
        }
      }
    }
    if (backend === "redis") floorEntry = await exactEntry(redis.url);
    await Promise.all(services.splice(0).map((managed) => managed.stop()));
  }

  // The floor: one GET of the very entry the services read on a hit, through the same
  // client library (ioredis) the cache uses, at the same rates.
  const client = new Redis(redis.url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  try {
    const get = async () => (await client.getBuffer(floorEntry.key)) !== null;
    for (const rate of rates) {
      await runOpenLoopCalls("redis GET", get, { rate, durationMs: warmupMs });
      rows.push({
        backend: "floor",
        service: "redis GET",
        mode: "GET",
        result: await runOpenLoopCalls("redis GET", get, { rate, durationMs }),
      });
      console.log(formatRow(rows.at(-1) as Row));
    }
  } finally {
    client.disconnect();
  }

  printSummary();
  const directory = join(repoRoot, "bench", "results");
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, `cache-hits-${Date.now()}.json`),
    JSON.stringify(
      { rates, durationMs, warmupMs, floorEntry, loadAverage: loadavg(), machine: machine(), rows },
      null,
      2,
    ),
  );
} finally {
  await Promise.all([...services, simulator].map((managed) => managed.stop()));
  await redis.stop();
}

function trpcTargets(port: number): Record<Mode, LoadTarget> {
  const url = `http://127.0.0.1:${port}/trpc/ai.generate`;
  const request = {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Write one sentence about lighthouses." }],
    temperature: 0,
  };
  return {
    hit: {
      name: "trpc",
      url,
      body: JSON.stringify(request),
      isSuccess: (status, text) => status === 200 && text.includes('"cache":"exact"'),
    },
    bypass: {
      name: "trpc",
      url,
      body: JSON.stringify({ ...request, cache: { mode: "bypass" } }),
      isSuccess: (status, text) => status === 200 && text.includes('"cache":"miss"'),
    },
  };
}

function graphqlTargets(port: number): Record<Mode, LoadTarget> {
  const url = `http://127.0.0.1:${port}/graphql`;
  const query = (cache: string) =>
    JSON.stringify({
      query: `mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "Write one sentence about lighthouses." }], temperature: 0${cache} }) { id content model cache attempts usage { totalTokens } costUsd } }`,
    });
  return {
    hit: {
      name: "graphql",
      url,
      body: query(""),
      isSuccess: (status, text) => status === 200 && text.includes('"cache":"EXACT"'),
    },
    bypass: {
      name: "graphql",
      url,
      body: query(", cache: { mode: BYPASS }"),
      isSuccess: (status, text) => status === 200 && text.includes('"cache":"MISS"'),
    },
  };
}

/** One request stores the answer; the next must be an exact hit, or the run measures the wrong thing. */
async function prime(service: string, target: LoadTarget): Promise<void> {
  const send = async () => {
    const response = await fetch(String(target.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof target.body === "string" ? target.body : target.body(0),
    });
    return { status: response.status, text: await response.text() };
  };
  await send();
  const second = await send();
  if (!target.isSuccess?.(second.status, second.text))
    throw new Error(
      `${service}: the request after priming was not a cache hit: ${second.status} ${second.text.slice(0, 300)}`,
    );
}

/** The exact-cache entry the hits read (the semantic cache stores its own, larger, entry beside it). */
async function exactEntry(url: string): Promise<{ key: string; bytes: number }> {
  const client = new Redis(url);
  try {
    const [key] = await client.keys("*cache:exact:*");
    if (!key) throw new Error("no exact-cache entry found in Redis after priming");
    return { key, bytes: await client.strlen(key) };
  } finally {
    client.disconnect();
  }
}

function formatRow({ backend, service, mode, result }: Row): string {
  const { p50, p90, p99, max } = result.latency;
  const label = backend === "floor" ? service : `${backend} ${service} ${mode}`;
  return `${label.padEnd(22)} @ ${String(result.rate).padStart(4)}/s  achieved ${result.achievedRate.toFixed(0).padStart(4)}/s  ok ${result.ok}  not-ok ${result.errors}  p50 ${p50.toFixed(2)}  p90 ${p90.toFixed(2)}  p99 ${p99.toFixed(2)}  max ${max.toFixed(2)} ms`;
}

function printSummary(): void {
  console.log(`\nCache hits vs uncached vs a bare Redis GET (p50 / p99, ms; open loop, ${durationMs} ms per cell):`);
  const header = ["rate", "service", "memory hit", "redis hit", "bypass (memory)", "bypass (redis)", "redis GET floor"];
  console.log(`  ${header.map((cell, index) => cell.padEnd(index < 2 ? 8 : 22)).join("")}`);
  const cell = ({ backend, service, mode, rate }: Omit<Row, "result"> & { rate: number }) => {
    const row = rows.find(
      (candidate) =>
        candidate.backend === backend &&
        candidate.service === service &&
        candidate.mode === mode &&
        candidate.result.rate === rate,
    );
    if (!row) return "-";
    const flag = row.result.errors > 0 ? ` (${row.result.errors} not ok)` : "";
    return `${row.result.latency.p50.toFixed(2)} / ${row.result.latency.p99.toFixed(2)}${flag}`;
  };
  for (const rate of rates) {
    for (const service of ["trpc", "graphql"]) {
      const cells = [
        cell({ backend: "memory", service, mode: "hit", rate }),
        cell({ backend: "redis", service, mode: "hit", rate }),
        cell({ backend: "memory", service, mode: "bypass", rate }),
        cell({ backend: "redis", service, mode: "bypass", rate }),
        cell({ backend: "floor", service: "redis GET", mode: "GET", rate }),
      ];
      console.log(`  ${String(rate).padEnd(8)}${service.padEnd(8)}${cells.map((value) => value.padEnd(22)).join("")}`);
    }
  }
  console.log(
    `\nFloor: GET of ${floorEntry.key} (${floorEntry.bytes} bytes) via ioredis. ${machine()}, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
  );
}

function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
}
