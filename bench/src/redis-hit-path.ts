/**
 * What an exact-cache hit through tRPC costs on Redis, judged without wall-clock latency
 * (which a shared machine makes meaningless): the Redis commands a hit sends, by name and
 * client connection, and the tRPC process's CPU per hit over rotated rounds. Two
 * configurations on one redis-server (separate key prefixes): the bench's (authentication
 * off, no limits) and a governed one (an API key; a tenant with rate limits and budgets).
 *
 *   pnpm build && pnpm --filter @keel/bench bench:redis-hit
 *   BENCH_ROUNDS=8 BENCH_RATE=200 BENCH_DURATION_MS=5000 pnpm --filter @keel/bench bench:redis-hit
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { hasTaskset, startRedisServer, type NodeProcess } from "@keel/testkit";
import { Redis } from "ioredis";
import { runMeasuredWindow } from "./measured-window.ts";
import { runOpenLoop, type LoadTarget } from "./open-loop.ts";
import { pinThisProcess } from "./pin-this-process.ts";
import { startGateway, startUpstream, type Gateway } from "./request-path-processes.ts";
import { trpcCacheHitTarget } from "./request-targets.ts";

const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const rate = Number(process.env.BENCH_RATE ?? 200);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const pinned = hasTaskset() && cpus().length >= 2 && pinThisProcess(1);
const loadAtStart = loadavg();
const workDirectory = mkdtempSync(join(tmpdir(), "keel-bench-redis-hit-"));

// A bootstrap admin key of tenant "default": ids are 12 of [a-z0-9], secrets 32 bytes base64url.
const apiKey = `keel_benchhitpath_${randomBytes(32).toString("base64url")}`;
const governed = {
  redis: { keyPrefix: "governed:" },
  tenants: {
    default: {
      limits: { requestsPerMinute: 10_000_000, tokensPerMinute: 1_000_000_000, concurrency: 10_000 },
      budget: { dailyUsd: 1_000_000, monthlyUsd: 10_000_000 },
    },
  },
};

const redis = await startRedisServer();
const started: NodeProcess[] = [];
try {
  const upstream = await startUpstream({ cpu: pinned ? 1 : undefined });
  started.push(upstream.process);
  const base = { upstreamPort: upstream.port, build: "dist" as const, nodeArgs: [], workDirectory };
  const configurations: { name: string; gateway: Gateway; headers: Record<string, string> }[] = [
    {
      name: "auth off",
      gateway: await startGateway("trpc", {
        ...base,
        cpu: pinned ? 0 : undefined,
        redisUrl: redis.url,
        name: "auth-off",
      }),
      headers: {},
    },
    {
      name: "governed",
      gateway: await startGateway("trpc", {
        ...base,
        cpu: pinned ? 0 : undefined,
        redisUrl: redis.url,
        name: "governed",
        config: governed,
        env: { KEEL_BOOTSTRAP_ADMIN_KEY: apiKey },
      }),
      headers: { authorization: `Bearer ${apiKey}` },
    },
  ];
  const targets = configurations.map((configuration) => {
    started.push(...configuration.gateway.processes);
    const target = trpcCacheHitTarget(configuration.gateway.origins?.[0] as string);
    return { ...configuration, target: { ...target, name: configuration.name, headers: configuration.headers } };
  });

  for (const { target } of targets) {
    await runOpenLoop(target, { rate: 50, durationMs: 1_000 });
    await runOpenLoop(target, { rate, durationMs: 3_000 });
  }
  for (const { name, target } of targets) console.log(`${name}: ${await commandsPerHit(redis.url, target)}`);

  // Redis's and this load generator's CPU per hit too: what a second gateway process would share a CPU or a Redis with.
  const cpu = new Map<string, number[]>(targets.map(({ name }) => [name, []]));
  const redisCpu = new Map<string, number[]>(targets.map(({ name }) => [name, []]));
  const loadCpu = new Map<string, number[]>(targets.map(({ name }) => [name, []]));
  const info = new Redis(redis.url);
  for (let round = 0; round < rounds; round += 1) {
    for (let offset = 0; offset < targets.length; offset += 1) {
      const { name, target, gateway } = targets[(round + offset) % targets.length] as (typeof targets)[0];
      const redisBefore = await redisCpuMs(info);
      const loadBefore = process.cpuUsage();
      const window = await runMeasuredWindow({
        target,
        processes: gateway.processes,
        upstream: undefined,
        rate,
        durationMs,
        warmupMs: 500,
      });
      if (window.errors > 0 || window.ok < window.sent) console.log(`${name}: ${window.sent - window.ok} not hits`);
      const load = process.cpuUsage(loadBefore);
      // The counters span the 500 ms warm-up as well: divide by every hit sent since they were read.
      const hits = window.sent + (rate * 500) / 1_000;
      redisCpu.get(name)?.push(((await redisCpuMs(info)) - redisBefore) / hits);
      loadCpu.get(name)?.push((load.user + load.system) / 1_000 / hits);
      cpu.get(name)?.push(window.cpuMsPerRequest);
      console.log(
        `round ${round + 1} ${name}: ${window.cpuMsPerRequest.toFixed(3)} ms CPU per hit, p50 ${window.latency.p50.toFixed(2)} ms`,
      );
    }
  }
  info.disconnect();
  for (const [name, figures] of cpu) {
    console.log(
      `${name}: CPU per hit, median (range) over ${rounds} rounds at ${rate}/s: tRPC ${summary(figures)}, redis-server ${summary(redisCpu.get(name) ?? [])}, load generator ${summary(loadCpu.get(name) ?? [])} ms`,
    );
  }
  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model.split(" ").slice(0, 2).join(" ")}, Node ${process.version}; ${pinned ? "tRPC on CPU 0, upstream and load on CPU 1" : "not pinned"}; load average ${loadAtStart.map((value) => value.toFixed(2)).join(" ")} at start, ${loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")} at end.`,
  );
} finally {
  await Promise.all(started.map((managed) => managed.stop()));
  await redis.stop();
}

function summary(figures: readonly number[]): string {
  const sorted = [...figures].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return `${median.toFixed(3)} (${sorted[0]?.toFixed(3)}–${sorted.at(-1)?.toFixed(3)})`;
}

/** redis-server's CPU so far (INFO cpu: used_cpu_sys + used_cpu_user), in ms. */
async function redisCpuMs(client: Redis): Promise<number> {
  const text = await client.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return (field("used_cpu_sys") + field("used_cpu_user")) * 1_000;
}

/**
 * The commands one hit sends, from MONITOR over 100 hits sent one after another (so
 * nothing else is in flight), by connection: commands a Lua script runs count under
 * its EVALSHA, and the background work of every process (job queue polling, the usage
 * ledger's periodic flush) is named apart from the per-request commands.
 */
async function commandsPerHit(url: string, target: LoadTarget): Promise<string> {
  const client = new Redis(url);
  const monitor = await client.monitor();
  const counts = new Map<string, number>();
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === "lua") return;
    const name = (args[0] ?? "").toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  const hits = 100;
  for (let index = 0; index < hits; index += 1) {
    const answer = await fetch(target.url as string, {
      method: "POST",
      headers: { "content-type": "application/json", ...target.headers },
      body: target.body as string,
    });
    const text = await answer.text();
    if (!target.isSuccess?.(answer.status, text)) throw new Error(`not a hit: ${text.slice(0, 200)}`);
  }
  // The usage ledger flushes on a timer; wait for it so its commands are counted too.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  monitor.disconnect();
  client.disconnect();
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${(count / hits).toFixed(2)}`)
    .join(", ");
}
