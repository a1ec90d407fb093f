// Jobs benchmark (`pnpm --filter @keel/jobs bench:jobs`, or `pnpm bench:jobs` from the root):
//   1. throughput: jobs/s through one and through two worker processes (Redis queue, no-op
//      processor, 0 ms upstream): N jobs are enqueued first (that rate is reported too), then
//      the workers, already connected, start together and drain the queue;
//   2. latency: end-to-end job latency p50/p99 at a fixed enqueue rate, open loop (enqueue i is
//      sent at start + i / rate; latency = the job's finishedAt - that scheduled time);
//   3. the same two figures for the in-process queue, for comparison.
// Options: --jobs N (default 2000), --rate R jobs/s (default 200), --seconds S (default 10),
// --concurrency C per worker (default 16). Starts its own redis-server.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startRedisServer } from "@keel/testkit";
import { createInProcessJobQueue } from "../src/in-process-job-queue.ts";
import { createJobWorker } from "../src/job-worker.ts";
import { createRedisJobQueue } from "../src/redis-job-queue.ts";
import type { JobQueue } from "../src/types.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "2000" },
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "16" },
  },
});
const jobCount = Number(values.jobs);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const request = { messages: [{ role: "user", content: "Hi" }], model: "gpt-4o-mini" };

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function startWorkerProcess(url: string, name: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/worker-process.ts", url, name, String(concurrency)],
    {
      cwd: packageRoot,
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Enqueues `count` jobs with at most 64 in flight; resolves with their ids. */
async function enqueueMany(queue: JobQueue, count: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next += 1;
      ids.push((await queue.enqueue({ tenant: "bench", kind: "generate", request, resultTtlMs: 600_000 })).id);
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
  return ids;
}

async function waitForCompleted(queue: JobQueue, count: number): Promise<void> {
  while ((await queue.depth()).completed < count) await sleep(25);
}

async function throughput(
  queue: JobQueue,
  start: () => void,
): Promise<{ jobsPerSecond: number; enqueuePerSecond: number }> {
  const enqueueStarted = performance.now();
  await enqueueMany(queue, jobCount);
  const enqueuePerSecond = jobCount / ((performance.now() - enqueueStarted) / 1_000);
  const started = performance.now();
  start();
  await waitForCompleted(queue, jobCount);
  return { jobsPerSecond: jobCount / ((performance.now() - started) / 1_000), enqueuePerSecond };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function latency(queue: JobQueue): Promise<{ p50: number; p99: number; max: number; count: number }> {
  const total = Math.round(rate * seconds);
  const start = performance.timeOrigin + performance.now() + 100;
  const scheduled: { id: Promise<string>; at: number }[] = [];
  for (let index = 0; index < total; index += 1) {
    const at = start + (index * 1_000) / rate;
    const wait = at - Date.now();
    if (wait > 0) await sleep(wait);
    // Open loop: the next enqueue never waits for this one.
    const id = queue
      .enqueue({ tenant: "bench", kind: "generate", request, resultTtlMs: 600_000 })
      .then((result) => result.id);
    scheduled.push({ id, at });
  }
  await waitForCompleted(queue, total);
  const latencies: number[] = [];
  for (const entry of scheduled) {
    const job = await queue.get("bench", await entry.id);
    if (job?.finishedAt) latencies.push(Date.parse(job.finishedAt) - entry.at);
  }
  latencies.sort((left, right) => left - right);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? 0,
    count: latencies.length,
  };
}

const format = (value: number) => value.toFixed(value >= 100 ? 0 : 1);
const rows: string[] = [];
const redis = await startRedisServer();
try {
  for (const workers of [1, 2]) {
    const name = `throughput-${workers}`;
    const queue = createRedisJobQueue({ url: redis.url, name });
    const children = await Promise.all(Array.from({ length: workers }, () => startWorkerProcess(redis.url, name)));
    const result = await throughput(queue, () => {
      for (const child of children) child.stdin?.write("go\n");
    });
    rows.push(
      `redis, ${workers} worker process(es) x concurrency ${concurrency}: ${format(result.jobsPerSecond)} jobs/s (${jobCount} jobs drained; enqueueing them beforehand ran at ${format(result.enqueuePerSecond)}/s)`,
    );
    await Promise.all(children.map(stopProcess));
    await queue.close();
  }
  {
    const name = "latency";
    const queue = createRedisJobQueue({ url: redis.url, name });
    const children = await Promise.all([startWorkerProcess(redis.url, name)]);
    for (const child of children) child.stdin?.write("go\n");
    const result = await latency(queue);
    rows.push(
      `redis, 1 worker process, open loop ${rate} jobs/s for ${seconds} s: latency p50 ${format(result.p50)} ms, p99 ${format(result.p99)} ms, max ${format(result.max)} ms (${result.count} jobs)`,
    );
    await Promise.all(children.map(stopProcess));
    await queue.close();
  }
  {
    const queue = createInProcessJobQueue({ name: "in-process" });
    let worker: ReturnType<typeof createJobWorker> | undefined;
    const result = await throughput(queue, () => {
      worker = createJobWorker({ queue, concurrency, depthEveryMs: 0, process: async () => null });
    });
    rows.push(
      `in-process, 1 worker x concurrency ${concurrency}: ${format(result.jobsPerSecond)} jobs/s (enqueue ${format(result.enqueuePerSecond)}/s)`,
    );
    await worker?.close();
    await queue.close();
  }
  {
    const queue = createInProcessJobQueue({ name: "in-process-latency" });
    const worker = createJobWorker({ queue, concurrency, depthEveryMs: 0, process: async () => null });
    const result = await latency(queue);
    rows.push(
      `in-process, open loop ${rate} jobs/s for ${seconds} s: latency p50 ${format(result.p50)} ms, p99 ${format(result.p99)} ms`,
    );
    await worker.close();
    await queue.close();
  }
} finally {
  await redis.stop();
}
console.log(`\n@keel/jobs benchmark (Node ${process.version}; machine shared, figures are indicative)`);
for (const row of rows) console.log(`  ${row}`);
