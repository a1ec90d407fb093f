import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JobEvent } from "./events.ts";
import { createRedisJobQueue } from "./redis-job-queue.ts";
import { eventually, sleep, uniqueName } from "./test-support/queue-fixtures.ts";
import { startWorkerProcess, type WorkerProcess, type WorkerProcessSettings } from "./test-support/worker-processes.ts";
import type { JobQueue } from "./types.ts";

let redis: RedisServerHandle;
let inspect: Redis;
const running: WorkerProcess[] = [];
const queues: JobQueue[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
  inspect = new Redis(redis.url);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => worker.kill()));
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
});
afterAll(async () => {
  inspect.disconnect();
  await redis.stop();
});

async function startWorker(settings: Omit<WorkerProcessSettings, "url" | "lockDurationMs" | "stalledIntervalMs">) {
  // A short lock and stall check so that a dead worker's job is recovered within seconds.
  const worker = await startWorkerProcess({
    url: redis.url,
    lockDurationMs: 1_000,
    stalledIntervalMs: 500,
    ...settings,
  });
  running.push(worker);
  return worker;
}

const events = async (name: string) =>
  (await inspect.lrange(`test:${name}:events`, 0, -1)).map((line) => JSON.parse(line) as JobEvent & { worker: string });

describe("a worker process killed mid-job", () => {
  it("is recovered by another worker process, which completes the job exactly once", async () => {
    const name = uniqueName("crash");
    const queue = createRedisJobQueue({ url: redis.url, name });
    queues.push(queue);
    const first = await startWorker({ name, label: "a", workMs: 60_000, maxStalledCount: 1 });
    const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request: { prompt: "long" } });
    await eventually(async () => expect(await inspect.lrange(`test:${name}:starts`, 0, -1)).toEqual(["a:1"]));
    await startWorker({ name, label: "b", workMs: 300, maxStalledCount: 1 });
    await first.kill();
    const killedAt = Date.now();

    await eventually(async () => expect((await queue.get("acme", id))?.state).toBe("completed"), 15_000);
    const recoveredIn = Date.now() - killedAt;
    const job = await queue.get("acme", id);
    expect(job).toMatchObject({
      state: "completed",
      attemptsMade: 2,
      failedAttempts: 0,
      result: { by: "b", attempt: 2 },
    });
    expect(recoveredIn).toBeLessThan(10_000);
    // Nothing more happens afterwards: no third start, still one completion.
    await sleep(1_500);
    expect(await inspect.lrange(`test:${name}:starts`, 0, -1)).toEqual(["a:1", "b:2"]);
    expect(await inspect.get(`test:${name}:completions:${id}`)).toBe("1");
    const states = (await events(name))
      .filter((event) => event.type === "job-state" && event.jobId === id)
      .map((event) => event.type === "job-state" && [event.worker, event.state, event.attempt, event.reason ?? ""]);
    expect(states).toEqual([
      ["a", "active", 1, ""],
      ["b", "active", 2, "recovered"],
      ["b", "completed", 2, ""],
    ]);
    expect(await queue.depth()).toMatchObject({ waiting: 0, active: 0, completed: 1 });
  }, 30_000);

  it("fails the job as INTERNAL (worker-lost) once it stalled more often than allowed", async () => {
    const name = uniqueName("lost");
    const queue = createRedisJobQueue({ url: redis.url, name });
    queues.push(queue);
    const first = await startWorker({ name, label: "a", workMs: 60_000, maxStalledCount: 0 });
    const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request: {} });
    await eventually(async () => expect(await inspect.lrange(`test:${name}:starts`, 0, -1)).toEqual(["a:1"]));
    await startWorker({ name, label: "b", workMs: 300, maxStalledCount: 0 });
    await first.kill();

    await eventually(async () => expect((await queue.get("acme", id))?.state).toBe("failed"), 15_000);
    expect(await queue.get("acme", id)).toMatchObject({
      state: "failed",
      attemptsMade: 1,
      error: { code: "INTERNAL", retryable: false, details: { reason: "worker-lost", attempts: 1 } },
    });
    expect(await inspect.lrange(`test:${name}:starts`, 0, -1)).toEqual(["a:1"]);
    expect(await inspect.get(`test:${name}:completions:${id}`)).toBeNull();
  }, 30_000);
});
