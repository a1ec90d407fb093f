import { verifyWebhookSignature } from "@keel/jobs";
import { batchCostOf, costOf, createPriceTable } from "@keel/providers";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { addUsd, KeelError } from "@keel/spec";
import { eventually, startRedisServer, startWebhookReceiver, type RedisServerHandle } from "@keel/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";
import type { JobView } from "./job-view.ts";

let simulator: SimulatorHandle;
let redis: RedisServerHandle;
const open: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  [simulator, redis] = await Promise.all([startSimulator({ port: 0 }), startRedisServer()]);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
  simulator.reset();
  simulator.setBatchOptions({ validatingMs: 0, completionMs: 0, outcome: "completed" });
});
afterAll(async () => {
  await simulator.close();
  await redis.stop();
});

let names = 0;
type QueueKind = "in-process" | "redis";

function pipelineWith(queue: QueueKind, overrides: Partial<KeelConfigInput> = {}): Pipeline {
  names += 1;
  const { jobs, ...rest } = overrides;
  const pipeline = createPipeline(
    parseConfig({
      providers: { simulator: { baseURL: simulator.url, apiKey: "test-key" } },
      models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] } },
      defaults: { policy: { retry: false, breaker: false } },
      cache: { defaults: { enabled: false } },
      telemetry: { log: { level: "silent" } },
      // Each pipeline its own key prefix: the usage ledger in Redis is shared by every pipeline on it.
      ...(queue === "redis" ? { redis: { url: redis.url, keyPrefix: `core-test-${names}:` } } : {}),
      jobs: { name: `core-${process.pid}-${names}`, ...jobs },
      ...rest,
    }),
  );
  open.push(pipeline);
  return pipeline;
}

const ask = (content: string) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content }],
  temperature: 0,
});

async function finalOf(pipeline: Pipeline, id: string, tenant = "default"): Promise<JobView> {
  let last: JobView | undefined;
  for await (const job of pipeline.jobs.watch(id, { tenant })) last = job;
  if (last === undefined) throw new Error("the watch yielded nothing");
  return last;
}

async function keelError(promise: Promise<unknown>): Promise<KeelError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!KeelError.isInstance(outcome)) throw new Error(`expected a KeelError, got ${String(outcome)}`);
  return outcome;
}

describe.each<QueueKind>(["in-process", "redis"])("pipeline.jobs on the %s queue", (queue) => {
  it("runs a generate job through the pipeline on a worker and keeps its envelope as the result", async () => {
    simulator.setRules([{ promptIncludes: "capital", reply: "Paris." }]);
    const pipeline = pipelineWith(queue);
    expect(pipeline.jobs.queueKind).toBe(queue);
    open.push(pipeline.jobs.startWorker());
    const { id, deduplicated } = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("The capital of France?") },
      { tenant: "acme", requestId: "req-enqueue-1" },
    );
    expect(deduplicated).toBe(false);
    const job = await finalOf(pipeline, id, "acme");
    expect(job).toMatchObject({
      id,
      kind: "generate",
      state: "completed",
      progress: 100,
      deferrable: false,
      attemptsMade: 1,
      maxAttempts: 1,
      timeoutMs: 300_000,
      resultTtlMs: 3_600_000,
      requestId: "req-enqueue-1",
      request: ask("The capital of France?"),
      result: { content: "Paris.", model: "gpt-4o-mini", provider: "simulator", cache: "miss", attempts: 1 },
    });
    expect(Date.parse(job.finishedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    // The worker's pipeline call is a request of the job's tenant, in its usage ledger.
    const usage = await pipeline.usage({}, { tenant: "acme" });
    if (job.kind === "batch") throw new Error("expected a generate job");
    expect(usage.totals).toMatchObject({ requests: 1, costUsd: job.result?.costUsd });
  });

  it("runs a batch job with failing items and reports progress; the result is the batch result", async () => {
    simulator.setRules([{ promptIncludes: "explode", fault: { type: "status", status: 500 } }]);
    const pipeline = pipelineWith(queue);
    open.push(pipeline.jobs.startWorker());
    const { id } = await pipeline.jobs.enqueue(
      {
        kind: "batch",
        request: { items: [{ generate: ask("one") }, { generate: ask("explode") }, { generate: ask("three") }] },
      },
      { tenant: "acme" },
    );
    const job = await finalOf(pipeline, id, "acme");
    expect(job.kind).toBe("batch");
    if (job.kind !== "batch") throw new Error("not a batch job");
    expect(job.state).toBe("completed");
    expect(job.result?.items.map((item) => [item.index, item.ok, item.error?.code])).toEqual([
      [0, true, undefined],
      [1, false, "UPSTREAM_UNAVAILABLE"],
      [2, true, undefined],
    ]);
    expect(job.result?.totals).toMatchObject({ items: 3, successes: 2, failures: 1 });
  });

  it("refuses a bad request at enqueue, before anything is queued", async () => {
    const pipeline = pipelineWith(queue);
    const bad = await keelError(
      pipeline.jobs.enqueue({
        kind: "generate",
        request: { model: "gpt-4o-mini", messages: [{ role: "user", content: 3 }] },
      } as never),
    );
    expect(bad).toMatchObject({ code: "BAD_REQUEST", details: { field: "request.messages.0.content" } });
    const unknownModel = await keelError(
      pipeline.jobs.enqueue({ kind: "generate", request: { ...ask("x"), model: "nope" } }),
    );
    expect(unknownModel).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "request.model", reason: "unknown-model" },
    });
    const badKind = await keelError(pipeline.jobs.enqueue({ kind: "summarise", request: ask("x") } as never));
    expect(badKind).toMatchObject({ code: "BAD_REQUEST", details: { field: "kind" } });
    const tooMany = await keelError(
      pipeline.jobs.enqueue({
        kind: "batch",
        request: { items: Array.from({ length: 101 }, () => ({ generate: ask("x") })) },
      }),
    );
    expect(tooMany).toMatchObject({ code: "BAD_REQUEST", details: { reason: "too-many-items" } });
    const noWebhooks = await keelError(
      pipeline.jobs.enqueue({ kind: "generate", request: ask("x"), webhook: { url: "https://hooks.example.com/x" } }),
    );
    expect(noWebhooks).toMatchObject({ code: "BAD_REQUEST", details: { field: "webhook.url", reason: "not-allowed" } });
    expect(await pipeline.jobs.list({}, { tenant: "default" })).toEqual({ jobs: [] });
    expect(await pipeline.jobs.depth()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, cancelled: 0 });
  });

  it("answers an unknown job id with BAD_REQUEST job-not-found everywhere", async () => {
    const pipeline = pipelineWith(queue);
    const notFound = { code: "BAD_REQUEST", details: { field: "id", reason: "job-not-found" } };
    expect(await keelError(pipeline.jobs.get("job_nope", { tenant: "acme" }))).toMatchObject(notFound);
    expect(await keelError(pipeline.jobs.cancel("job_nope", { tenant: "acme" }))).toMatchObject(notFound);
    const watching = pipeline.jobs.watch("job_nope", { tenant: "acme" })[Symbol.asyncIterator]().next();
    expect(await keelError(watching)).toMatchObject(notFound);
  });

  it("keeps tenants apart: another tenant's job is not found, not listed, not cancelled, not watched", async () => {
    const pipeline = pipelineWith(queue);
    const { id } = await pipeline.jobs.enqueue({ kind: "generate", request: ask("acme's secret") }, { tenant: "acme" });
    const other = { tenant: "globex" };
    const notFound = { code: "BAD_REQUEST", details: { reason: "job-not-found" } };
    expect(await keelError(pipeline.jobs.get(id, other))).toMatchObject(notFound);
    expect(await keelError(pipeline.jobs.cancel(id, other))).toMatchObject(notFound);
    expect(await keelError(pipeline.jobs.watch(id, other)[Symbol.asyncIterator]().next())).toMatchObject(notFound);
    expect(await pipeline.jobs.list({}, other)).toEqual({ jobs: [] });
    // The same idempotency key in another tenant is another job.
    const mine = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("a"), idempotencyKey: "k" },
      { tenant: "acme" },
    );
    const theirs = await pipeline.jobs.enqueue({ kind: "generate", request: ask("a"), idempotencyKey: "k" }, other);
    expect(theirs.id).not.toBe(mine.id);
    expect((await pipeline.jobs.list({}, { tenant: "acme" })).jobs.map((job) => job.id)).toEqual([mine.id, id]);
    expect((await pipeline.jobs.list({}, other)).jobs.map((job) => job.id)).toEqual([theirs.id]);
    // acme's job is untouched by globex's cancel.
    expect((await pipeline.jobs.get(id, { tenant: "acme" })).state).toBe("waiting");
  });

  it("lists the caller's jobs newest first, page by page", async () => {
    const pipeline = pipelineWith(queue);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push(
        (await pipeline.jobs.enqueue({ kind: "generate", request: ask(`job ${index}`) }, { tenant: "acme" })).id,
      );
    }
    const first = await pipeline.jobs.list({ limit: 2 }, { tenant: "acme" });
    expect(first.jobs.map((job) => job.id)).toEqual([ids[4], ids[3]]);
    const second = await pipeline.jobs.list({ limit: 2, cursor: first.nextCursor }, { tenant: "acme" });
    expect(second.jobs.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    const last = await pipeline.jobs.list({ limit: 2, cursor: second.nextCursor }, { tenant: "acme" });
    expect(last.jobs.map((job) => job.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeUndefined();
    expect(await keelError(pipeline.jobs.list({ limit: 0 }, { tenant: "acme" }))).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "limit" },
    });
  });

  it("deduplicates by idempotency key while the job exists", async () => {
    const pipeline = pipelineWith(queue);
    const first = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("once"), idempotencyKey: "order-42" },
      { tenant: "acme" },
    );
    const again = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("once"), idempotencyKey: "order-42" },
      { tenant: "acme" },
    );
    expect(again).toEqual({ id: first.id, deduplicated: true });
    open.push(pipeline.jobs.startWorker());
    await finalOf(pipeline, first.id, "acme");
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("cancels a waiting job at once and an active one through its signal (the upstream call is aborted)", async () => {
    simulator.setRules([{ promptIncludes: "hang", fault: { type: "hang" } }]);
    const pipeline = pipelineWith(queue);
    const waiting = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("never started") },
      { tenant: "acme" },
    );
    expect(await pipeline.jobs.cancel(waiting.id, { tenant: "acme" })).toMatchObject({
      state: "cancelled",
      attemptsMade: 0,
    });
    open.push(pipeline.jobs.startWorker());
    const active = await pipeline.jobs.enqueue({ kind: "generate", request: ask("hang here") }, { tenant: "acme" });
    await simulator.waitFor((stats) => stats.inFlight === 1, 5_000);
    await pipeline.jobs.cancel(active.id, { tenant: "acme" });
    expect(await finalOf(pipeline, active.id, "acme")).toMatchObject({ state: "cancelled", attemptsMade: 1 });
    await simulator.waitFor((stats) => stats.clientAborts === 1, 5_000);
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("fails a job past its timeout with UPSTREAM_TIMEOUT (job-timeout) and aborts its upstream call", async () => {
    simulator.setRules([{ fault: { type: "hang" } }]);
    const pipeline = pipelineWith(queue);
    open.push(pipeline.jobs.startWorker());
    const { id } = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("slow"), timeoutMs: 300 },
      { tenant: "acme" },
    );
    expect(await finalOf(pipeline, id, "acme")).toMatchObject({
      state: "failed",
      error: { code: "UPSTREAM_TIMEOUT", retryable: false, details: { reason: "job-timeout", timeoutMs: 300 } },
    });
    await simulator.waitFor((stats) => stats.clientAborts === 1, 5_000);
  });

  it("forgets a finished job and its result after its TTL", async () => {
    const pipeline = pipelineWith(queue);
    open.push(pipeline.jobs.startWorker());
    const { id } = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("short-lived"), resultTtlMs: 300, idempotencyKey: "short" },
      { tenant: "acme" },
    );
    const done = await finalOf(pipeline, id, "acme");
    expect(done.state).toBe("completed");
    expect(Date.parse(done.expiresAt ?? "") - Date.parse(done.finishedAt ?? "")).toBe(300);
    await eventually(async () => {
      expect(await keelError(pipeline.jobs.get(id, { tenant: "acme" }))).toMatchObject({
        details: { reason: "job-not-found" },
      });
    }, 5_000);
    expect((await pipeline.jobs.list({}, { tenant: "acme" })).jobs).toEqual([]);
    // The idempotency key is free again: the same key makes a new job.
    const again = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("short-lived"), idempotencyKey: "short" },
      { tenant: "acme" },
    );
    expect(again).toMatchObject({ deduplicated: false });
    expect(again.id).not.toBe(id);
    expect((await finalOf(pipeline, again.id, "acme")).state).toBe("completed");
  });

  it("retries a retryable failure with backoff, up to the attempts asked for", async () => {
    simulator.setRules([{ promptIncludes: "flaky", times: 1, fault: { type: "status", status: 503 } }]);
    const pipeline = pipelineWith(queue);
    open.push(pipeline.jobs.startWorker());
    const { id } = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("flaky"), attempts: 2, backoff: { type: "fixed", delayMs: 50 } },
      { tenant: "acme" },
    );
    expect(await finalOf(pipeline, id, "acme")).toMatchObject({
      state: "completed",
      attemptsMade: 2,
      error: { code: "UPSTREAM_UNAVAILABLE" },
    });
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(2);
  });

  it("delivers a signed webhook, retried with backoff until the receiver takes it; the attempts are on the job", async () => {
    const receiver = await startWebhookReceiver((call) => (call === 1 ? 500 : 204));
    open.push(receiver);
    const secret = "whsec_core_test_0123456789";
    const pipeline = pipelineWith(queue, {
      jobs: { webhooks: { allow: [`${receiver.origin}/hooks/`], secret, backoff: { type: "fixed", delayMs: 50 } } },
    });
    open.push(pipeline.jobs.startWorker());
    const { id } = await pipeline.jobs.enqueue(
      { kind: "generate", request: ask("notify me"), webhook: { url: `${receiver.origin}/hooks/done?token=abc` } },
      { tenant: "acme" },
    );
    await finalOf(pipeline, id, "acme");
    await eventually(() => expect(receiver.received).toHaveLength(2), 5_000);
    for (const delivery of receiver.received) {
      const verdict = verifyWebhookSignature({
        secret,
        header: delivery.headers["keel-signature"] as string,
        body: delivery.body,
      });
      expect(verdict.ok).toBe(true);
      expect(
        verifyWebhookSignature({
          secret: "whsec_wrong_secret_000000",
          header: delivery.headers["keel-signature"] as string,
          body: delivery.body,
        }).ok,
      ).toBe(false);
      expect(delivery.path).toBe("/hooks/done?token=abc");
    }
    const event = JSON.parse(receiver.received[1]?.body ?? "{}");
    expect(event).toMatchObject({
      id: `${id}.completed`,
      type: "job.completed",
      data: { job: { id, state: "completed" } },
    });
    await eventually(async () => {
      const job = await pipeline.jobs.get(id, { tenant: "acme" });
      expect(job.webhook?.deliveries.map((delivery) => [delivery.attempt, delivery.outcome, delivery.status])).toEqual([
        [1, "failed", 500],
        [2, "delivered", 204],
      ]);
    });
    // A webhook outside the allow-list is refused at enqueue.
    expect(
      await keelError(
        pipeline.jobs.enqueue({
          kind: "generate",
          request: ask("x"),
          webhook: { url: `${receiver.origin}/elsewhere` },
        }),
      ),
    ).toMatchObject({ code: "BAD_REQUEST", details: { field: "webhook.url", reason: "not-allowed" } });
  });
});

describe("deferrable jobs through the provider's Batch API (simulator)", () => {
  /** The simulator's GET /v1/batches: every batch submitted, newest first. */
  const listBatches = async (): Promise<Array<Record<string, unknown>>> => {
    const response = await fetch(`${simulator.url}/batches`);
    return ((await response.json()) as { data: Array<Record<string, unknown>> }).data;
  };
  const deferredPipeline = () =>
    pipelineWith("redis", { jobs: { concurrency: 8, deferrable: { windowMs: 150, pollIntervalMs: 20 } } });

  it("groups deferrable jobs into one batch submission and prices each answer at the batch rate", async () => {
    const before = (await listBatches()).length;
    // The group is sent when its fourth call joins: a loaded machine may take longer than a short
    // window to hand four jobs from Redis to the worker, and the test is about the grouping.
    const pipeline = pipelineWith("redis", {
      jobs: { concurrency: 8, deferrable: { windowMs: 10_000, maxGroupSize: 4, pollIntervalMs: 20 } },
    });
    open.push(pipeline.jobs.startWorker());
    const ids = await Promise.all(
      ["one", "two", "three", "four"].map(
        async (text) =>
          (await pipeline.jobs.enqueue({ kind: "generate", request: ask(text), deferrable: true }, { tenant: "acme" }))
            .id,
      ),
    );
    const jobs = await Promise.all(ids.map((id) => finalOf(pipeline, id, "acme")));
    const batches = (await listBatches()).slice(0, -before || undefined);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ status: "completed", request_counts: { total: 4, completed: 4, failed: 0 } });
    const prices = createPriceTable();
    let total = 0;
    for (const job of jobs) {
      if (job.kind === "batch" || job.result === undefined) throw new Error("expected a generate result");
      expect(job).toMatchObject({ state: "completed", deferrable: true });
      expect(job.result).toMatchObject({ model: "gpt-4o-mini", provider: "simulator", attempts: 1, cache: "miss" });
      expect(job.result.costUsd).toBe(batchCostOf(prices, "gpt-4o-mini", job.result.usage));
      expect(job.result.costUsd).toBeLessThan(costOf(prices, "gpt-4o-mini", job.result.usage));
      total = addUsd(total, job.result.costUsd);
    }
    // Each answer is a request of its tenant in the usage ledger, at the discounted cost.
    expect((await pipeline.usage({}, { tenant: "acme" })).totals).toMatchObject({ requests: 4, costUsd: total });
    // The simulator counts one call per batch line, and no live call was made.
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(4);
  });

  it("sends a job whose line errored the normal way, at the normal price; the others keep the batch price", async () => {
    simulator.setRules([{ promptIncludes: "explode", times: 1, fault: { type: "status", status: 500 } }]);
    const pipeline = deferredPipeline();
    open.push(pipeline.jobs.startWorker());
    const [fine, exploded] = await Promise.all(
      ["fine", "explode"].map(
        async (text) => (await pipeline.jobs.enqueue({ kind: "generate", request: ask(text), deferrable: true })).id,
      ),
    );
    const prices = createPriceTable();
    const fineJob = await finalOf(pipeline, fine as string);
    const explodedJob = await finalOf(pipeline, exploded as string);
    if (fineJob.kind === "batch" || explodedJob.kind === "batch") throw new Error("expected generate jobs");
    expect(fineJob.result?.costUsd).toBe(
      batchCostOf(
        prices,
        "gpt-4o-mini",
        fineJob.result?.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      ),
    );
    expect(explodedJob).toMatchObject({ state: "completed" });
    expect(explodedJob.result?.costUsd).toBe(
      costOf(
        prices,
        "gpt-4o-mini",
        explodedJob.result?.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      ),
    );
    // Two batch lines, then one live call for the line that errored.
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(3);
  });

  it.each(["failed", "expired"] as const)("falls back to live calls when the whole batch %s", async (outcome) => {
    simulator.setBatchOptions({ outcome });
    const pipeline = deferredPipeline();
    open.push(pipeline.jobs.startWorker());
    const ids = await Promise.all(
      ["a", "b"].map(
        async (text) => (await pipeline.jobs.enqueue({ kind: "generate", request: ask(text), deferrable: true })).id,
      ),
    );
    const prices = createPriceTable();
    for (const id of ids) {
      const job = await finalOf(pipeline, id);
      if (job.kind === "batch" || job.result === undefined) throw new Error("expected a generate result");
      expect(job.state).toBe("completed");
      expect(job.result.costUsd).toBe(costOf(prices, "gpt-4o-mini", job.result.usage));
    }
    expect((await listBatches())[0]).toMatchObject({ status: outcome });
  });

  it("never uses the batch API for jobs that are not deferrable", async () => {
    const before = (await listBatches()).length;
    const pipeline = deferredPipeline();
    open.push(pipeline.jobs.startWorker());
    const { id } = await pipeline.jobs.enqueue({ kind: "generate", request: ask("now please") });
    expect((await finalOf(pipeline, id)).state).toBe("completed");
    expect(await listBatches()).toHaveLength(before);
  });
});
