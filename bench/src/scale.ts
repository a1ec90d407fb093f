/**
 * Scale benchmark: the tRPC service behind deploy/haproxy/haproxy.cfg, one instance, then
 * two, each instance a process of its own pinned to one core (taskset), all sharing one
 * redis-server. Measures the highest rate each setup sustains (open loop at a rate above
 * it: the achieved rate) and p99 at a fixed rate both can carry.
 *
 *   pnpm bench:scale                                   # fixed 300/s, then saturating 2000/s, 5 s each
 *   BENCH_SATURATE_RATE=1500 BENCH_FIXED_RATE=200 BENCH_DURATION_MS=3000 pnpm bench:scale
 *
 * The simulator (0 ms latency), HAProxy, Redis and this load generator share the machine
 * with the instances: on two cores the second instance competes with them, so the ratio
 * is a floor of what separate machines would give.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { freePort, startNodeProcess, startRedisServer, type NodeProcess } from "@keel/testkit";
import { startHaproxy } from "./haproxy-process.ts";
import { runOpenLoop, type LoadResult, type LoadTarget } from "./open-loop.ts";
import { repoRoot } from "./repo-root.ts";

const saturateRate = Number(process.env.BENCH_SATURATE_RATE ?? 2_000);
const fixedRate = Number(process.env.BENCH_FIXED_RATE ?? 300);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1_000);
const coreCount = cpus().length;
const loadBefore = loadavg()[0]?.toFixed(2) ?? "unknown";

const redis = await startRedisServer();
const simulatorPort = await freePort();
const processes: NodeProcess[] = [];
const stops: Array<() => Promise<void>> = [];
try {
  processes.push(
    await startNodeProcess({
      cwd: repoRoot,
      name: "simulator",
      entry: "packages/simulator/src/cli.ts",
      args: ["--port", String(simulatorPort)],
      readyUrl: `http://127.0.0.1:${simulatorPort}/_sim/health`,
    }),
  );
  const instances: string[] = [];
  for (let index = 0; index < 2; index++) {
    const port = await freePort();
    const instance = await startNodeProcess({
      cwd: repoRoot,
      name: `keel${index + 1}`,
      entry: "apps/trpc/src/main.ts",
      env: {
        KEEL_SIMULATOR_PORT: String(simulatorPort),
        KEEL_TRPC_PORT: String(port),
        OPENAI_API_KEY: "",
        KEEL_CONFIG: "",
        KEEL_LOG_LEVEL: "warn",
        REDIS_URL: redis.url,
      },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      readyTimeoutMs: 60_000,
    });
    processes.push(instance);
    pin(instance.child.pid, index % coreCount);
    instances.push(`127.0.0.1:${port}`);
  }

  const body = JSON.stringify({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Write one sentence about lighthouses." }],
    cache: { mode: "bypass" },
  });
  const results: Array<LoadResult & { setup: string }> = [];
  for (const [setup, servers] of [
    ["1 instance", [instances[0]!, instances[0]!]],
    ["2 instances", [instances[0]!, instances[1]!]],
  ] as const) {
    const [listen, graphqlListen] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    // Only tRPC is measured; the GraphQL backend points at the same instances' health.
    const proxy = await startHaproxy({ listen, graphqlListen, trpcServers: servers, graphqlServers: servers });
    stops.push(proxy.stop);
    const target: LoadTarget = { name: setup, url: `http://${listen}/trpc/ai.generate`, body };
    // The fixed rate first: a saturating run leaves a backlog that would spill into it.
    for (const rate of [fixedRate, saturateRate]) {
      await runOpenLoop(target, { rate, durationMs: warmupMs });
      const result = { ...(await runOpenLoop(target, { rate, durationMs })), setup };
      results.push(result);
      console.log(formatRow(result));
      await settle(listen);
    }
    await proxy.stop();
  }
  const achieved = (setup: string) =>
    results.find((result) => result.setup === setup && result.rate === saturateRate)?.achievedRate ?? 0;
  console.log(
    `\nThroughput, 2 instances over 1: ${(achieved("2 instances") / achieved("1 instance")).toFixed(2)}× ` +
      `(${achieved("1 instance").toFixed(0)}/s -> ${achieved("2 instances").toFixed(0)}/s)`,
  );
  console.log(
    `Machine: ${coreCount} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load average before the run ` +
      `${loadBefore}`,
  );
  const directory = join(repoRoot, "bench", "results");
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, `scale-${Date.now()}.json`),
    JSON.stringify({ saturateRate, fixedRate, durationMs, results }, null, 2),
  );
} finally {
  for (const stop of stops) await stop();
  await Promise.all(processes.map((managed) => managed.stop()));
  await redis.stop();
}

/** Waits until the instances worked off any backlog: /readyz answers quickly through the proxy. */
async function settle(listen: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const started = performance.now();
    const ok = await fetch(`http://${listen}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok && performance.now() - started < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Pins every thread of a process to one core (Linux taskset); a no-op where taskset is missing. */
function pin(pid: number | undefined, core: number): void {
  if (pid === undefined) return;
  const outcome = spawnSync("taskset", ["-a", "-cp", String(core), String(pid)], { stdio: "ignore" });
  if (outcome.status !== 0) console.warn(`could not pin pid ${pid} to core ${core} (taskset missing?)`);
}

function formatRow(result: LoadResult & { setup: string }): string {
  const { p50, p90, p99, max } = result.latency;
  return `${result.setup.padEnd(12)} rate ${String(result.rate).padStart(5)}/s  achieved ${result.achievedRate.toFixed(0).padStart(5)}/s  ok ${result.ok}  errors ${result.errors}  p50 ${p50.toFixed(2)}  p90 ${p90.toFixed(2)}  p99 ${p99.toFixed(2)}  max ${max.toFixed(2)} ms`;
}
