import { createServiceEdge } from "@keel/core";
import { startRedisServer, startWorkerProcess, type RedisServerHandle, type WorkerProcessHandle } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { KeelTrpcContext } from "../src/context.ts";
import { createAppRouter } from "../src/index.ts";
import { chat, post, startStack, trpcError, type Stack } from "./test-support/stack.ts";

let redis: RedisServerHandle;
let stack: Stack;
let worker: WorkerProcessHandle;
// Each test waits on a real worker process: 30 s as apps/graphql's config gives its tests, not vitest's 5 s.
vi.setConfig({ testTimeout: 30_000 });

beforeAll(async () => {
  redis = await startRedisServer();
  const shared = {
    models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] } },
    redis: { url: redis.url },
    jobs: { name: "trpc-e2e" },
  };
  // The service enqueues and reads; the jobs run on a real apps/worker process on the same Redis.
  stack = await startStack({
    rules: [
      { promptIncludes: "capital", reply: "Paris." },
      { promptIncludes: "explode", fault: { type: "status", status: 400 } },
      { promptIncludes: "hang", fault: { type: "hang" } },
    ],
    config: shared,
  });
  worker = await startWorkerProcess({
    config: { ...shared, providers: { simulator: { baseURL: stack.simulator.url, apiKey: "test" } } },
  });
  // A redis-server, the service and a worker process: their start alone took over 10 s on a loaded machine.
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await stack?.close();
  await redis?.stop();
});

/** A job as the typed client receives it. */
type JobSnapshot = Awaited<ReturnType<Stack["client"]["jobs"]["get"]["query"]>>;

function watchStates(id: string): Promise<JobSnapshot[]> {
  return new Promise((resolve, reject) => {
    const seen: JobSnapshot[] = [];
    stack.client.jobs.watch.subscribe(
      { id },
      { onData: (job) => seen.push(job), onError: reject, onComplete: () => resolve(seen) },
    );
  });
}

describe("jobs through the tRPC service, run by apps/worker on Redis", () => {
  it("enqueues a generate job, watches it to the end and reads the envelope as its result", async () => {
    const { id, deduplicated } = await stack.client.jobs.enqueue.mutate({
      kind: "generate",
      request: chat("The capital of France?"),
    });
    expect(id).toMatch(/^job_/);
    expect(deduplicated).toBe(false);
    const states = await watchStates(id);
    expect(states.at(-1)).toMatchObject({ id, state: "completed", progress: 100 });
    const job = await stack.client.jobs.get.query({ id });
    expect(job).toMatchObject({ id, kind: "generate", state: "completed", attemptsMade: 1 });
    if (job.kind === "batch") throw new Error("expected a generate job");
    expect(job.result).toMatchObject({ content: "Paris.", model: "gpt-4o-mini", provider: "simulator", cache: "miss" });
    expect(Date.parse(job.finishedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(job.startedAt ?? ""));
    await worker.waitForLine((line) => line.jobId === id && line.state === "completed");
  });

  it("runs a batch job with a failing item; the result is the batch result", async () => {
    const { id } = await stack.client.jobs.enqueue.mutate({
      kind: "batch",
      request: { items: [{ generate: chat("The capital of France?") }, { generate: chat("explode") }] },
    });
    await watchStates(id);
    const job = await stack.client.jobs.get.query({ id });
    if (job.kind !== "batch") throw new Error("expected a batch job");
    expect(job).toMatchObject({ state: "completed", progress: 100 });
    expect(
      job.result?.items.map((item) => (item.ok ? [item.index, true] : [item.index, false, item.error.code])),
    ).toEqual([
      [0, true],
      [1, false, "BAD_REQUEST"],
    ]);
    expect(job.result?.totals).toMatchObject({ items: 2, successes: 1, failures: 1 });
  });

  it("answers the README's curl lines: POST jobs.enqueue, GET jobs.get", async () => {
    const enqueued = await post(
      `${stack.url}/jobs.enqueue`,
      '{"kind":"generate","request":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"The capital of France?"}]}}',
    );
    expect(enqueued.status).toBe(200);
    const { id } = (enqueued.json as { result: { data: { id: string } } }).result.data;
    await watchStates(id);
    const response = await fetch(`${stack.url}/jobs.get?input=${encodeURIComponent(JSON.stringify({ id }))}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      result: { data: { id, kind: "generate", state: "completed", result: { content: "Paris." } } },
    });
  });

  it("refuses a bad request at enqueue and answers an unknown job with BAD_REQUEST job-not-found", async () => {
    const bad = await trpcError(
      stack.client.jobs.enqueue.mutate({ kind: "generate", request: { model: "gpt-4o-mini", messages: [] } }),
    );
    expect(bad.data).toMatchObject({
      keelCode: "BAD_REQUEST",
      httpStatus: 400,
      details: { field: "request.messages" },
    });
    for (const call of [
      stack.client.jobs.get.query({ id: "job_nope" }),
      stack.client.jobs.cancel.mutate({ id: "job_nope" }),
    ]) {
      const error = await trpcError(call);
      expect(error.data).toMatchObject({ keelCode: "BAD_REQUEST", details: { field: "id", reason: "job-not-found" } });
    }
    const watchError = await new Promise<unknown>((resolve) => {
      stack.client.jobs.watch.subscribe(
        { id: "job_nope" },
        { onError: resolve, onComplete: () => resolve("completed") },
      );
    });
    expect(watchError).toMatchObject({ data: { keelCode: "BAD_REQUEST", details: { reason: "job-not-found" } } });
  });

  it("deduplicates by idempotency key, lists the caller's jobs, and cancels a running job", async () => {
    const hanging = { kind: "generate" as const, request: chat("hang on"), idempotencyKey: "trpc-once" };
    const first = await stack.client.jobs.enqueue.mutate(hanging);
    expect(await stack.client.jobs.enqueue.mutate(hanging)).toEqual({ id: first.id, deduplicated: true });
    const page = await stack.client.jobs.list.query({ limit: 2 });
    expect(page.jobs[0]?.id).toBe(first.id);
    expect(page.jobs).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    await worker.waitForLine((line) => line.jobId === first.id && line.state === "active");
    await stack.client.jobs.cancel.mutate({ id: first.id });
    expect((await watchStates(first.id)).at(-1)).toMatchObject({ state: "cancelled" });
    await stack.simulator.waitFor((stats) => stats.clientAborts >= 1, 5_000);
  });
});

describe("tenancy of jobs in the tRPC service (the tenant of the caller's principal)", () => {
  const callerFor = (tenant: string) => {
    const context: KeelTrpcContext = {
      authenticate: async () => ({ tenant, role: "caller" }),
      requestId: `req-${tenant}`,
      nextCallId: () => `req-${tenant}`,
      trackStream: () => () => {},
      responseHeaders: {},
    };
    return createAppRouter(stack.pipeline, createServiceEdge(stack.pipeline, { service: "trpc" })).createCaller(
      context,
    );
  };

  it("never shows, cancels or watches another tenant's job", async () => {
    const acme = callerFor("acme");
    const globex = callerFor("globex");
    const { id } = await acme.jobs.enqueue({ kind: "generate", request: chat("acme only") });
    await expect(globex.jobs.get({ id })).rejects.toMatchObject({
      cause: { code: "BAD_REQUEST", details: { reason: "job-not-found" } },
    });
    await expect(globex.jobs.cancel({ id })).rejects.toMatchObject({ cause: { details: { reason: "job-not-found" } } });
    expect((await globex.jobs.list({})).jobs.map((job) => job.id)).not.toContain(id);
    expect((await acme.jobs.list({})).jobs.map((job) => job.id)).toContain(id);
    expect((await acme.jobs.get({ id })).id).toBe(id);
    // The service's own context is tenant "default": it sees neither.
    await expect(stack.client.jobs.get.query({ id })).rejects.toMatchObject({
      data: { details: { reason: "job-not-found" } },
    });
  });
});
