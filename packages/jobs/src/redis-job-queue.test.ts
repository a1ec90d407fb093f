import { createHash } from "node:crypto";
import { KeelError } from "@keel/spec";
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createJobWorker, type JobWorker } from "./job-worker.ts";
import { createRedisJobQueue, type RedisJobQueueOptions } from "./redis-job-queue.ts";
import { describeJobQueueContract } from "./test-support/job-queue-contract.ts";
import { eventually, gate, uniqueName } from "./test-support/queue-fixtures.ts";
import type { Job, JobQueue } from "./types.ts";

let redis: RedisServerHandle;
let inspect: Redis;
beforeAll(async () => {
  redis = await startRedisServer();
  inspect = new Redis(redis.url);
});
afterAll(async () => {
  inspect.disconnect();
  await redis.stop();
});

describeJobQueueContract("redis", () => (options) => createRedisJobQueue({ url: redis.url, ...options }));

const open: (JobQueue | JobWorker)[] = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.close();
});
function queue(options: RedisJobQueueOptions = {}): JobQueue {
  const created = createRedisJobQueue({ url: redis.url, ...options });
  open.push(created);
  return created;
}
function worker(options: Parameters<typeof createJobWorker>[0]): JobWorker {
  const created = createJobWorker({ depthEveryMs: 0, ...options });
  open.push(created);
  return created;
}

describe("createRedisJobQueue", () => {
  it("keeps every key under the prefix's hash tag, in the documented layout", async () => {
    const prefix = "{keel-jobs-layout}";
    const jobs = queue({ prefix, name: "layout" });
    worker({ queue: jobs, process: async () => "ok" });
    const { id } = await jobs.enqueue({
      tenant: "acme:eu",
      kind: "generate",
      request: { prompt: "Hi" },
      idempotencyKey: "order-7",
      resultTtlMs: 60_000,
    });
    await eventually(async () => expect((await jobs.get("acme:eu", id))?.state).toBe("completed"));

    const keys = (await inspect.keys(`${prefix}*`)).sort();
    const ours = keys.filter((key) => key.startsWith(`${prefix}:keel:`));
    expect(ours).toEqual(
      [
        `${prefix}:keel:layout:idem:acme%3Aeu:${createHash("sha256").update("order-7").digest("hex")}`,
        `${prefix}:keel:layout:job:${id}`,
        `${prefix}:keel:layout:seq`,
        `${prefix}:keel:layout:state:completed`,
        `${prefix}:keel:layout:tenant:acme%3Aeu`,
      ].sort(),
    );
    // BullMQ's own keys carry the same hash tag; the finished BullMQ job itself was removed.
    expect(
      keys.filter((key) => !key.startsWith(`${prefix}:keel:`)).every((key) => key.startsWith(`${prefix}:layout`)),
    ).toBe(true);
    expect(await inspect.exists(`${prefix}:layout:${id}`)).toBe(0);
    expect(await inspect.hget(`${prefix}:keel:layout:job:${id}`, "state")).toBe("completed");
    expect(await inspect.hget(`${prefix}:keel:layout:job:${id}`, "result")).toBe('"ok"');
    const recordTtl = await inspect.pttl(`${prefix}:keel:layout:job:${id}`);
    expect(recordTtl).toBeGreaterThan(55_000);
    expect(recordTtl).toBeLessThanOrEqual(60_000);
    expect(await inspect.pttl(ours[0]!)).toBeGreaterThan(55_000);
    expect(await inspect.zrange(`${prefix}:keel:layout:tenant:acme%3Aeu`, "0", "-1")).toEqual([id]);
    expect(await inspect.keys(`${prefix}:keel:layout:tenant:acme`)).toEqual([]);
  });

  it("keeps jobs across queue instances: enqueued by one, run and read through others", async () => {
    const name = uniqueName("durable");
    const producer = createRedisJobQueue({ url: redis.url, name });
    const { id } = await producer.enqueue({ tenant: "acme", kind: "structured", request: { n: 1 } });
    await producer.close();
    const consumer = queue({ name });
    worker({ queue: consumer, process: async (job) => ({ doubled: (job.request as { n: number }).n * 2 }) });
    const reader = queue({ name });
    await eventually(async () =>
      expect(await reader.get("acme", id)).toMatchObject({ state: "completed", result: { doubled: 2 } }),
    );
  });

  it("delivers a cancel and watch updates across instances through pub/sub, without polling", async () => {
    const name = uniqueName("pubsub");
    const running = gate();
    const working = queue({ name });
    worker({
      queue: working,
      cancelPollMs: 60_000,
      process: (_job, context) =>
        new Promise((_resolve, reject) => {
          running.open();
          context.signal.addEventListener("abort", () => reject(context.signal.reason));
        }),
    });
    const api = queue({ name, watchPollMs: 60_000 });
    const { id } = await api.enqueue({ tenant: "acme", kind: "generate", request: {} });
    const seen: Job[] = [];
    const watching = (async () => {
      for await (const job of api.watch("acme", id)) seen.push(job);
    })();
    await running.promise;
    // The watch has read the job once, so only a notification can tell it about the cancel.
    await eventually(() => expect(seen.length).toBeGreaterThan(0));
    const cancelledAt = Date.now();
    await api.cancel("acme", id);
    await watching;
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    expect(seen.at(-1)).toMatchObject({ state: "cancelled", cancelRequested: true });
    // Snapshots: changes faster than the watcher's reads may be coalesced, but the first and the final state always show.
    expect(["waiting", "active"]).toContain(seen[0]?.state);
  });

  it("refuses a prefix without a hash tag and a queue name that could break the key layout", () => {
    expect(() => createRedisJobQueue({ url: redis.url, prefix: "keel-jobs" })).toThrow(/hash tag/);
    expect(() => createRedisJobQueue({ url: redis.url, name: "a:b" })).toThrow(KeelError);
  });

  it("answers UPSTREAM_UNAVAILABLE while Redis is down, and works again once it is back", async () => {
    const server = await startRedisServer();
    try {
      const jobs = createRedisJobQueue({ url: server.url, name: uniqueName("outage"), onError: () => {} });
      await jobs.depth();
      await server.kill();
      const error = await jobs.enqueue({ tenant: "acme", kind: "generate", request: {} }).catch((caught) => caught);
      expect(KeelError.isInstance(error) && error.toJSON()).toEqual({
        code: "UPSTREAM_UNAVAILABLE",
        message: "the job queue is unavailable",
        retryable: true,
        details: { reason: "queue-unavailable" },
      });
      await server.start();
      // The client reconnects with a growing delay (up to 2 s), so allow it a few attempts.
      await eventually(
        async () => expect((await jobs.enqueue({ tenant: "acme", kind: "generate", request: {} })).id).toBeTruthy(),
        15_000,
      );
      await jobs.close();
    } finally {
      await server.stop();
    }
  }, 30_000);
});
