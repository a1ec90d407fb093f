// Regression (issue 18): a job ran twice across a Redis Cluster failover. Its processor had
// finished, but the write recording "completed" met the failing master and threw; the runtime
// took that error for the processor's, the delivery ended in an error, and the job was
// delivered again and re-run as a "recovered" attempt 2. Here a real redis-server sits behind a
// TCP proxy whose connections the processor breaks just before it returns, so the completion
// write fails every time, deterministically.
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JobEvent } from "./events.ts";
import { normaliseEnqueueOptions } from "./enqueue-options.ts";
import { createJobWorker, type JobWorker } from "./job-worker.ts";
import { createRedisJobQueue } from "./redis-job-queue.ts";
import { createRedisJobStore } from "./redis-job-store.ts";
import { redisKeys } from "./redis-keys.ts";
import { type BreakableProxy, startBreakableProxy } from "./test-support/breakable-proxy.ts";
import { eventually, sleep, uniqueName } from "./test-support/queue-fixtures.ts";
import type { JobQueue } from "./types.ts";

let redis: RedisServerHandle;
let proxy: BreakableProxy;
let inspect: Redis;
beforeAll(async () => {
  redis = await startRedisServer();
  proxy = await startBreakableProxy({ host: "127.0.0.1", port: redis.port });
  inspect = new Redis(redis.url);
});
afterAll(async () => {
  inspect.disconnect();
  await proxy.close();
  await redis.stop();
});

const open: (JobQueue | JobWorker)[] = [];
afterEach(async () => {
  proxy.heal();
  for (const resource of open.splice(0).reverse()) await resource.close();
});

describe("a completion write that fails after the processor ran", () => {
  it("records the job completed once and never runs its processor again", async () => {
    const name = uniqueName("completion-write");
    const events: JobEvent[] = [];
    const connectionErrors: Error[] = [];
    // The worker's queue talks to Redis through the proxy; the test reads around it.
    const queue = createRedisJobQueue({
      url: proxy.url,
      name,
      lockDurationMs: 10_000,
      stalledIntervalMs: 500,
      onEvent: (event) => events.push(event),
      onError: (error) => connectionErrors.push(error),
    });
    const reader = createRedisJobQueue({ url: redis.url, name });
    open.push(reader, queue);
    let runs = 0;
    open.push(
      createJobWorker({
        queue,
        depthEveryMs: 0,
        onError: () => {},
        process: async (job) => {
          runs += 1;
          if (runs === 1) {
            // The work is done; Redis goes away before the outcome is written, for 3 s (once).
            proxy.break();
            setTimeout(() => proxy.heal(), 3_000);
          }
          return { echoed: job.request, run: runs };
        },
      }),
    );

    const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request: { n: 1 } });
    await eventually(async () => expect((await reader.get("acme", id))?.state).toBe("completed"), 15_000);
    // Longer than a redelivery takes: before the fix the delivery ended in an error and was
    // retried 1 s later, re-running the processor as attempt 2 about 4 s after the first run.
    await sleep(3_000);

    expect(runs).toBe(1);
    expect(connectionErrors.length).toBeGreaterThan(0); // the break did happen
    const job = await reader.get("acme", id);
    expect(job).toMatchObject({
      state: "completed",
      progress: 100,
      result: { echoed: { n: 1 }, run: 1 },
      attemptsMade: 1,
      failedAttempts: 0,
    });
    expect(job?.error).toBeUndefined();
    const states = events.flatMap((event) =>
      event.type === "job-state" && event.jobId === id ? [[event.state, event.attempt, event.reason ?? ""]] : [],
    );
    expect(states).toEqual([
      ["waiting", 0, ""],
      ["active", 1, ""],
      ["completed", 1, ""],
    ]);
    // In Redis: the record is final and BullMQ holds nothing more for the id (removed on completion).
    expect(await inspect.hmget(`{keel-jobs}:keel:${name}:job:${id}`, "state", "attemptsMade")).toEqual([
      "completed",
      "1",
    ]);
    expect(await inspect.exists(`{keel-jobs}:${name}:${id}`)).toBe(0);
  }, 30_000);

  it("answers a repeat of a finish or requeue that already landed (its reply lost) with the record", async () => {
    const keys = redisKeys({ prefix: "{keel-jobs}", queue: uniqueName("repeat") });
    const client = new Redis(redis.url);
    const store = createRedisJobStore({ client, createSubscriber: () => client.duplicate(), keys });
    try {
      const fields = normaliseEnqueueOptions(
        { tenant: "acme", kind: "generate", request: {}, attempts: 2 },
        { maxRequestBytes: 1_024 },
      );
      const create = async (id: string) => {
        await store.create({ ...fields, id, createdAt: 1_000 });
        return store.start(id, 2_000);
      };
      expect((await create("job_a")).outcome).toBe("started");
      const finish = { id: "job_a", attempt: 1, state: "completed" as const, now: 3_000, resultJson: '"ok"' };
      const first = await store.finish(finish);
      expect(await store.finish(finish)).toEqual(first);
      expect(first).toMatchObject({ state: "completed", resultJson: '"ok"', finishedAt: 3_000 });
      // Another attempt or another final state is still refused.
      expect(await store.finish({ ...finish, attempt: 2 })).toBeUndefined();
      expect(await store.finish({ ...finish, state: "failed" })).toBeUndefined();

      expect((await create("job_b")).outcome).toBe("started");
      const requeue = { id: "job_b", attempt: 1, now: 3_000, readyAt: 4_000 };
      const requeued = await store.requeue(requeue);
      expect(await store.requeue(requeue)).toEqual(requeued);
      expect(requeued).toMatchObject({ state: "waiting", queuedAt: 4_000 });
      expect(await store.requeue({ ...requeue, readyAt: 5_000 })).toBeUndefined();
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});
