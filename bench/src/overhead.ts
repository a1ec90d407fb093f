/**
 * Overhead benchmark: open-loop load at fixed rates against the simulator directly, the
 * tRPC service, the GraphQL service and the OpenAI-compatible service (simulator at 0 ms
 * latency), each service in its own process. Prints latency percentiles, achieved rate and errors per target and rate,
 * the latency each service adds over the bare simulator, and each service's peak RSS.
 *
 *   pnpm bench                      # rates 200, 500, 1000 req/s, 5 s each
 *   BENCH_RATES=100,300 BENCH_DURATION_MS=3000 pnpm bench
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { runOpenLoop, type LoadResult, type LoadTarget } from "./open-loop.ts";
import { freePort, startNodeProcess, type NodeProcess } from "@keel/testkit";
import { repoRoot } from "./repo-root.ts";

const rates = (process.env.BENCH_RATES ?? "200,500,1000").split(",").map(Number);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1_000);
// A service's first start compiles its TypeScript under tsx: on a busy machine that takes more than testkit's 20 s.
const readyTimeoutMs = 60_000;

const [simulatorPort, trpcPort, graphqlPort, openaiPort] = [
  await freePort(),
  await freePort(),
  await freePort(),
  await freePort(),
];
const serviceEnv = {
  KEEL_SIMULATOR_PORT: String(simulatorPort),
  KEEL_TRPC_PORT: String(trpcPort),
  KEEL_GRAPHQL_PORT: String(graphqlPort),
  KEEL_OPENAI_PORT: String(openaiPort),
  OPENAI_API_KEY: "",
  KEEL_CONFIG: "",
  KEEL_LOG_LEVEL: "warn",
};
const processes: NodeProcess[] = [];
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
  processes.push(
    await startNodeProcess({
      cwd: repoRoot,
      name: "trpc",
      entry: "apps/trpc/src/main.ts",
      env: serviceEnv,
      readyUrl: `http://127.0.0.1:${trpcPort}/healthz`,
      readyTimeoutMs,
    }),
  );
  processes.push(
    await startNodeProcess({
      cwd: repoRoot,
      name: "graphql",
      entry: "apps/graphql/src/main.ts",
      env: serviceEnv,
      readyUrl: `http://127.0.0.1:${graphqlPort}/healthz`,
      readyTimeoutMs,
    }),
  );
  processes.push(
    await startNodeProcess({
      cwd: repoRoot,
      name: "openai",
      entry: "apps/openai/src/main.ts",
      env: serviceEnv,
      readyUrl: `http://127.0.0.1:${openaiPort}/healthz`,
      readyTimeoutMs,
    }),
  );

  const messages = [{ role: "user", content: "Write one sentence about lighthouses." }];
  // Caching is bypassed: this measures the pipeline's own cost on every request.
  const targets: LoadTarget[] = [
    {
      name: "simulator",
      url: `http://127.0.0.1:${simulatorPort}/v1/chat/completions`,
      body: JSON.stringify({ model: "gpt-4o-mini", messages }),
    },
    {
      name: "trpc",
      url: `http://127.0.0.1:${trpcPort}/trpc/ai.generate`,
      body: JSON.stringify({ model: "gpt-4o-mini", messages, cache: { mode: "bypass" } }),
    },
    {
      name: "graphql",
      url: `http://127.0.0.1:${graphqlPort}/graphql`,
      body: JSON.stringify({
        query:
          'mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "Write one sentence about lighthouses." }], cache: { mode: BYPASS } }) { id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs } }',
      }),
      isSuccess: (status, body) => status === 200 && !body.includes('"errors"'),
    },
    {
      name: "openai",
      url: `http://127.0.0.1:${openaiPort}/v1/chat/completions`,
      body: JSON.stringify({ model: "gpt-4o-mini", messages }),
      headers: { "x-keel-cache-mode": "bypass" },
    },
  ];

  const results: LoadResult[] = [];
  for (const rate of rates) {
    for (const target of targets) {
      await runOpenLoop(target, { rate, durationMs: warmupMs });
      const result = await runOpenLoop(target, { rate, durationMs });
      results.push(result);
      console.log(formatRow(result));
    }
  }
  const rss = Object.fromEntries(processes.map((managed) => [managed.name, Number(managed.peakRssMiB().toFixed(1))]));
  console.log(`\nOverhead over the bare simulator (ms, service minus simulator at the same percentile):`);
  for (const rate of rates) {
    const base = results.find((result) => result.target === "simulator" && result.rate === rate);
    for (const service of ["trpc", "graphql", "openai"]) {
      const measured = results.find((result) => result.target === service && result.rate === rate);
      if (!base || !measured) continue;
      const delta = (key: keyof LoadResult["latency"]) => (measured.latency[key] - base.latency[key]).toFixed(2);
      console.log(
        `  ${service.padEnd(8)} @ ${String(rate).padStart(5)}/s  p50 +${delta("p50")}  p90 +${delta("p90")}  p99 +${delta("p99")}`,
      );
    }
  }
  console.log(
    `\nPeak RSS (MiB): ${Object.entries(rss)
      .map(([name, value]) => `${name} ${value}`)
      .join(", ")}`,
  );
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
  const directory = join(repoRoot, "bench", "results");
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, `overhead-${Date.now()}.json`),
    JSON.stringify({ rates, durationMs, results, peakRssMiB: rss }, null, 2),
  );
} finally {
  await Promise.all(processes.map((managed) => managed.stop()));
}

function formatRow(result: LoadResult): string {
  const { p50, p90, p99, max } = result.latency;
  return `${result.target.padEnd(10)} rate ${String(result.rate).padStart(5)}/s  achieved ${result.achievedRate.toFixed(0).padStart(5)}/s  ok ${result.ok}  errors ${result.errors}  p50 ${p50.toFixed(2)}  p90 ${p90.toFixed(2)}  p99 ${p99.toFixed(2)}  max ${max.toFixed(2)} ms`;
}
