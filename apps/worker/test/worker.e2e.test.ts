import { createPipeline, parseConfig, type JobView, type Pipeline } from "@keel/core";
import { verifyWebhookSignature } from "@keel/jobs";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import {
  eventually,
  startRedisServer,
  startWebhookReceiver,
  startWorkerProcess,
  type RedisServerHandle,
  type WebhookReceiverHandle,
  type WorkerProcessHandle,
} from "@keel/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

let simulator: SimulatorHandle;
let redis: RedisServerHandle;
let receiver: WebhookReceiverHandle;
const secret = "whsec_worker_e2e_0123456789";
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [simulator, redis, receiver] = await Promise.all([
    startSimulator({ port: 0 }),
    startRedisServer(),
    startWebhookReceiver(),
  ]);
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  simulator.reset();
  receiver.received.length = 0;
});
afterAll(async () => {
  await Promise.all([simulator.close(), redis.stop(), receiver.close()]);
});

let runs = 0;
/**
 * One config for the test's pipeline (which enqueues) and the worker processes: a queue of its
 * own per test. `lockDurationMs`: how soon a dead worker's job is taken again (production: 30 s).
 * Only the SIGKILL test needs it short; elsewhere a short lock that a loaded machine fails to
 * renew in time makes a live worker's job look stalled (seen: a second `active` at 1 s).
 */
function configFor(lockDurationMs = 10_000) {
  runs += 1;
  return {
    providers: { simulator: { baseURL: simulator.url, apiKey: "test" } },
    models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] } },
    defaults: { policy: { retry: false, breaker: false } },
    redis: { url: redis.url, keyPrefix: `worker-e2e-${runs}:` },
    jobs: {
      name: `worker-e2e-${process.pid}-${runs}`,
      lockDurationMs,
      stalledIntervalMs: 500,
      webhooks: { allow: [`${receiver.origin}/hooks/`], secret, backoff: { type: "fixed", delayMs: 50 } },
    },
    services: { shutdownGraceMs: 500 },
    // A worker killed mid-call dies holding the cache's cross-instance coalescing lock on its
    // request; the recovered attempt waits for that lock to lapse (30 s by default).
    cache: { coalesce: { lockTtlMs: 1_000 } },
  };
}

function enqueuer(config: ReturnType<typeof configFor>): Pipeline {
  const pipeline = createPipeline(parseConfig({ ...config, telemetry: { log: { level: "silent" } } }));
  cleanup.push(() => pipeline.close());
  return pipeline;
}

async function worker(config: Record<string, unknown>): Promise<WorkerProcessHandle> {
  const started = await startWorkerProcess({ config });
  cleanup.push(() => started.kill());
  return started;
}

async function finalOf(pipeline: Pipeline, id: string, tenant: string): Promise<JobView> {
  let last: JobView | undefined;
  for await (const job of pipeline.jobs.watch(id, { tenant })) last = job;
  if (last === undefined) throw new Error("nothing watched");
  return last;
}

const ask = (content: string) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content }],
  temperature: 0,
});
const stateLines = (process: WorkerProcessHandle, jobId: string) =>
  process.logLines().filter((line) => line.event === "job-state" && line.jobId === jobId);

describe("apps/worker", () => {
  it("runs a job enqueued by another process through the pipeline; logs each state change; exposes queue metrics", async () => {
    simulator.setRules([{ promptIncludes: "capital", reply: "Paris." }]);
    const config = configFor();
    const pipeline = enqueuer(config);
    const running = await worker(config);
    const { id } = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("The capital of France?") },
      { tenant: "acme", requestId: "req-from-service" },
    );
    const job = await finalOf(pipeline, id, "acme");
    expect(job).toMatchObject({ state: "completed", result: { content: "Paris.", provider: "simulator" } });

    await running.waitForLine((line) => line.jobId === id && line.state === "completed");
    expect(
      stateLines(running, id).map((line) => [line.state, line.attempt, line.requestId, line.tenant, line.kind]),
    ).toEqual([
      ["active", 1, "req-from-service", "acme", "generate"],
      ["completed", 1, "req-from-service", "acme", "generate"],
    ]);
    // The pipeline call the worker made is a request log line of its own, tied to the job.
    const request = running.logLines().find((line) => line.requestId === `${id}.1`);
    expect(request).toMatchObject({ service: "worker", tenant: "acme", operation: "generate", outcome: "success" });
    // No prompt or answer in the job's lines.
    expect(JSON.stringify(stateLines(running, id))).not.toMatch(/capital|Paris/);

    const metrics = await (await fetch(`${running.origin}/metrics`)).text();
    expect(metrics).toMatch(/keel_jobs_finished_total\{kind="generate",outcome="completed",code=""\} 1/);
    expect(metrics).toMatch(/keel_job_duration_seconds_count\{kind="generate",outcome="completed"\} 1/);
    expect(metrics).toMatch(/keel_job_queue_depth\{queue="worker-e2e-[^"]+",state="waiting"\} \d/);
    expect(metrics).toMatch(/keel_webhook_deliveries_total|keel_job_state_changes_total/);
    expect((await fetch(`${running.origin}/healthz`)).status).toBe(200);
  });

  it("lets another worker finish a job whose worker was SIGKILLed mid-job, exactly once", async () => {
    // The first call hangs (the worker that takes it dies holding it); the next one answers.
    simulator.setRules([{ promptIncludes: "long", times: 1, fault: { type: "hang" } }]);
    // The dead worker's job is taken again after about 2 s.
    const config = configFor(2_000);
    const pipeline = enqueuer(config);
    const first = await worker(config);
    const { id } = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("a long job"), webhook: { url: `${receiver.origin}/hooks/done` } },
      { tenant: "acme" },
    );
    await first.waitForLine((line) => line.jobId === id && line.state === "active");
    await simulator.waitFor((stats) => stats.inFlight === 1, 10_000);
    const second = await worker(config);
    await first.kill();

    const job = await finalOf(pipeline, id, "acme");
    expect(job).toMatchObject({ state: "completed", attemptsMade: 2, result: { provider: "simulator" } });
    await second.waitForLine((line) => line.jobId === id && line.state === "completed");
    expect(stateLines(first, id).map((line) => line.state)).toEqual(["active"]);
    expect(stateLines(second, id).map((line) => [line.state, line.attempt, line.reason])).toEqual([
      ["active", 2, "recovered"],
      ["completed", 2, undefined],
    ]);
    // Exactly one outcome reached the receiver, signed; nothing more arrives later.
    await eventually(() => expect(receiver.received).toHaveLength(1), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0]!;
    expect(
      verifyWebhookSignature({ secret, header: delivery.headers["keel-signature"] as string, body: delivery.body }),
    ).toMatchObject({ ok: true });
    expect(JSON.parse(delivery.body)).toMatchObject({ id: `${id}.completed`, data: { job: { id, attemptsMade: 2 } } });
    // Two upstream calls: the one that died with the first worker, the one that answered.
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(2);
    expect((await pipeline.jobs.get(id, { tenant: "acme" })).state).toBe("completed");
    const metrics = await (await fetch(`${second.origin}/metrics`)).text();
    expect(metrics).toMatch(/keel_job_retries_total\{kind="generate",reason="recovered"\} 1/);
  });

  it("stops on SIGTERM, handing back a job it could not finish within the grace, and exits 0", async () => {
    simulator.setRules([{ promptIncludes: "slow", times: 1, fault: { type: "hang" } }]);
    const config = configFor();
    const pipeline = enqueuer(config);
    const first = await worker(config);
    const { id } = await pipeline.jobs.enqueue({ kind: "generate", request: ask("slow job") }, { tenant: "acme" });
    await first.waitForLine((line) => line.jobId === id && line.state === "active");
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(stateLines(first, id).map((line) => [line.state, line.reason])).toEqual([
      ["active", undefined],
      ["waiting", "hand-back"],
    ]);
    await worker(config);
    expect(await finalOf(pipeline, id, "acme")).toMatchObject({ state: "completed", attemptsMade: 2 });
  });

  it("refuses to start without Redis (the in-process queue is the serving process's own)", async () => {
    const { redis: _redis, ...withoutRedis } = configFor();
    const failure = await startWorkerProcess({ config: withoutRedis }).then(
      () => "started",
      (error: unknown) => String(error),
    );
    expect(failure).toMatch(/Keel did not start: the worker needs the shared Redis queue: set REDIS_URL/);
  });
});
