/**
 * Fault benchmark: open-loop load at a fixed rate through the services while the
 * simulator fails a share of upstream calls at random (seeded): 10 % answer 500 and 1 %
 * hang. The services run with a per-attempt timeout, retries and a two-target fallback
 * chain (a config file passed as KEEL_CONFIG). Reports the share of caller requests that
 * succeed, latency percentiles, and upstream calls per caller request (retry amplification).
 *
 *   pnpm bench:faults                                   # 200 req/s for 10 s, tRPC then GraphQL
 *   BENCH_RATE=100 BENCH_DURATION_MS=5000 BENCH_SERVICES=trpc pnpm bench:faults
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { runOpenLoop, type LoadResult, type LoadTarget } from "./open-loop.ts";
import { freePort, startNodeProcess, type NodeProcess } from "@keel/testkit";
import { repoRoot } from "./repo-root.ts";
import { createOutcomeTally, type OutcomeTally } from "./outcome-tally.ts";
import { processCpuMs } from "./process-cpu.ts";

const rate = Number(process.env.BENCH_RATE ?? 200);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 10_000);
const services = (process.env.BENCH_SERVICES ?? "trpc,graphql").split(",");
const seed = Number(process.env.BENCH_SEED ?? 42);

const HANG_SHARE = 0.01;
const ERROR_SHARE = 0.1;
// Rules are tried in order and a lost draw falls through, so the 500 rule's probability is
// taken over the calls that did not hang: 1 % hang and 10 % of all calls answer 500.
const RULES = [
  { probability: HANG_SHARE, fault: { type: "hang" } },
  { probability: ERROR_SHARE / (1 - HANG_SHARE), fault: { type: "status", status: 500 } },
];
const PRIMARY = "sim/gpt-4o-mini";
const SECONDARY = "sim/gpt-4.1-mini";

const directory = mkdtempSync(join(tmpdir(), "keel-bench-faults-"));
const [simulatorPort, trpcPort, graphqlPort] = [await freePort(), await freePort(), await freePort()];
const simulatorOrigin = `http://127.0.0.1:${simulatorPort}`;
const config = {
  providers: { sim: { baseURL: `${simulatorOrigin}/v1`, apiKey: "bench" } },
  models: { chat: { targets: [PRIMARY, SECONDARY], timeoutMs: 5_000 } },
  defaults: {
    policy: {
      timeout: { attemptMs: 1_000 },
      retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 200 },
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 20, resetTimeoutMs: 5_000 },
    },
  },
  telemetry: { log: { level: "warn" } },
};
const configFile = join(directory, "keel.json");
writeFileSync(configFile, JSON.stringify(config, null, 2));
const rulesFile = join(directory, "rules.json");
writeFileSync(rulesFile, JSON.stringify({ rules: RULES }));

const serviceEnv = {
  KEEL_CONFIG: configFile,
  KEEL_TRPC_PORT: String(trpcPort),
  KEEL_GRAPHQL_PORT: String(graphqlPort),
  OPENAI_API_KEY: "",
};
const processes: NodeProcess[] = [];
try {
  processes.push(
    await startNodeProcess({
      cwd: repoRoot,
      name: "simulator",
      entry: "packages/simulator/src/cli.ts",
      args: ["--port", String(simulatorPort), "--rules", rulesFile, "--seed", String(seed)],
      readyUrl: `${simulatorOrigin}/_sim/health`,
    }),
  );
  const rows: Array<{
    scenario: string;
    result: LoadResult;
    tally: OutcomeTally;
    upstreamCalls: number;
    serviceCpuMsPerRequest: number;
  }> = [];
  for (const service of services) {
    const target = service === "graphql" ? graphqlTarget(graphqlPort) : trpcTarget(trpcPort);
    const port = service === "graphql" ? graphqlPort : trpcPort;
    const managed = await startNodeProcess({
      cwd: repoRoot,
      name: service,
      entry: `apps/${service}/src/main.ts`,
      env: serviceEnv,
      readyUrl: `http://127.0.0.1:${port}/healthz`,
    });
    processes.push(managed);
    // Warm-up at half the rate: a cold service (modules still loading, code not yet
    // optimised) falls behind a full-rate open loop and the backlog would spill into the run.
    await runOpenLoop(target.load, { rate: rate / 2, durationMs: warmupMs, timeoutMs: 15_000 });
    // The same load with no faults first: on a shared machine it shows what the machine
    // itself costs at that moment, so the fault run's tail can be read against it.
    for (const [scenario, rules] of [
      ["no faults", []],
      ["faults", RULES],
    ] as const) {
      // A fresh scenario (restarts the seeded generator), then count this run's upstream calls only.
      await simulatorControl("POST", "/_sim/rules", { rules });
      target.tally.clear();
      const before = await simulatorStats();
      const cpuBefore = processCpuMs(managed.child.pid);
      const result = await runOpenLoop(target.load, { rate, durationMs, timeoutMs: 15_000 });
      const serviceCpuMsPerRequest = (processCpuMs(managed.child.pid) - cpuBefore) / result.sent;
      const after = await simulatorStats();
      rows.push({
        scenario,
        result,
        tally: { ...target.tally },
        upstreamCalls: after.totalCalls - before.totalCalls,
        serviceCpuMsPerRequest,
      });
    }
    await managed.stop();
  }

  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  console.log(
    `Fault benchmark: ${rate} req/s for ${durationMs} ms per service; upstream: ${HANG_SHARE * 100} % hang, ${ERROR_SHARE * 100} % answer 500 (seed ${seed})`,
  );
  console.log(
    `Policy: attempt timeout 1000 ms, 2 attempts per target, targets ${PRIMARY} -> ${SECONDARY}, request deadline 5000 ms\n`,
  );
  for (const { scenario, result, tally, upstreamCalls, serviceCpuMsPerRequest } of rows) {
    const { p50, p90, p99, max } = result.latency;
    console.log(
      `${`${result.target} (${scenario})`.padEnd(20)} sent ${result.sent}  succeeded ${percent(result.ok, result.sent)}  achieved ${result.achievedRate.toFixed(0)}/s` +
        `  p50 ${p50.toFixed(1)}  p90 ${p90.toFixed(1)}  p99 ${p99.toFixed(1)}  max ${max.toFixed(1)} ms` +
        `  upstream calls/request ${(upstreamCalls / result.sent).toFixed(3)}  service CPU ${serviceCpuMsPerRequest.toFixed(2)} ms/request`,
    );
    console.log(
      `${" ".repeat(21)}answered after a retry ${percent(tally.retried, result.sent)}, by the fallback target ${percent(tally.fellBack, result.sent)}; failures by code ${JSON.stringify(tally.failures)}`,
    );
  }
  console.log(
    `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load average ${load}`,
  );
  const results = join(repoRoot, "bench", "results");
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, `faults-${Date.now()}.json`),
    JSON.stringify({ rate, durationMs, seed, rules: RULES, config, loadAverage: loadavg(), rows }, null, 2),
  );
} finally {
  await Promise.all(processes.map((managed) => managed.stop()));
}

function trpcTarget(port: number): { load: LoadTarget; tally: OutcomeTally } {
  const tally = createOutcomeTally();
  const body = JSON.stringify({
    model: "chat",
    messages: [{ role: "user", content: "Write one sentence about lighthouses." }],
    cache: { mode: "bypass" },
  });
  return {
    tally,
    load: {
      name: "trpc",
      url: `http://127.0.0.1:${port}/trpc/ai.generate`,
      body,
      isSuccess: (status, text) =>
        tally.record(
          status === 200
            ? { envelope: parse(text)?.result?.data }
            : { code: status === 0 ? `NO_ANSWER:${text}` : parse(text)?.error?.data?.keelCode },
          PRIMARY,
        ),
    },
  };
}

function graphqlTarget(port: number): { load: LoadTarget; tally: OutcomeTally } {
  const tally = createOutcomeTally();
  const query =
    'mutation { generate(input: { model: "chat", messages: [{ role: USER, content: "Write one sentence about lighthouses." }], cache: { mode: BYPASS } }) { id content attempts fallback { answeredBy } } }';
  return {
    tally,
    load: {
      name: "graphql",
      url: `http://127.0.0.1:${port}/graphql`,
      body: JSON.stringify({ query }),
      isSuccess: (status, text) => {
        if (status === 0) return tally.record({ code: `NO_ANSWER:${text}` }, PRIMARY);
        const body = parse(text);
        return tally.record(
          body?.data?.generate ? { envelope: body.data.generate } : { code: body?.errors?.[0]?.extensions?.code },
          PRIMARY,
        );
      },
    },
  };
}

async function simulatorControl(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${simulatorOrigin}${path}`, {
    method,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return response.json();
}

function simulatorStats(): Promise<{ totalCalls: number }> {
  return simulatorControl("GET", "/_sim/stats") as Promise<{ totalCalls: number }>;
}

/** The parts of an answer the tally reads: the envelope's attempts and who answered. */
interface EnvelopeFacts {
  attempts?: number;
  fallback?: { answeredBy?: string | null };
}

/**
 * Wire bodies of the two services (tRPC: result.data or error.data.keelCode; GraphQL:
 * data.generate or errors[0].extensions.code). Every field is optional because any shape
 * may come back under faults, and every read goes through `?.`.
 */
interface WireBody {
  result?: { data?: EnvelopeFacts };
  error?: { data?: { keelCode?: string } };
  data?: { generate?: EnvelopeFacts | null } | null;
  errors?: Array<{ extensions?: { code?: string } }>;
}

/** Wire bodies of two services, read defensively: any shape may come back under faults. */
function parse(text: string): WireBody | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / Math.max(1, whole)).toFixed(2)} %`;
}
