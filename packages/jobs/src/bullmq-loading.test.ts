import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

const packageDirectory = fileURLToPath(new URL("..", import.meta.url));

/**
 * In a fresh process (this one's module cache already holds what other tests loaded): imports
 * @keel/jobs, runs a job on the in-process queue, then one on the Redis queue (BullMQ's Queue and
 * Worker, created once it has loaded), and prints whether BullMQ (CommonJS, so in require.cache)
 * was loaded after each step.
 */
const script = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const bullmqLoaded = () => Object.keys(require.cache).some((file) => file.includes("/node_modules/bullmq/"));
const steps = {};
const jobs = await import("./src/index.ts");
steps.imported = bullmqLoaded();
/** Enqueues one job on the queue, runs it with a worker and returns its final state. */
async function runOne(queue) {
  const worker = jobs.createJobWorker({ queue, process: async () => ({ ok: true }), depthEveryMs: 0 });
  const { id } = await queue.enqueue({ tenant: "t", kind: "generate", request: { prompt: "x" } });
  let job = await queue.get("t", id);
  for (let tries = 0; tries < 500 && !jobs.isFinalState(job.state); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    job = await queue.get("t", id);
  }
  await worker.close();
  await queue.close();
  return job.state;
}
steps.inProcessJob = await runOne(jobs.createInProcessJobQueue());
steps.afterInProcessQueue = bullmqLoaded();
steps.redisJob = await runOne(jobs.createRedisJobQueue({ url: process.argv[1] }));
steps.afterRedisQueue = bullmqLoaded();
console.log(JSON.stringify(steps));
`;

it("loads BullMQ only for the Redis queue: importing @keel/jobs and the in-process queue leave it unloaded", () => {
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, redis.url], {
    cwd: packageDirectory,
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(child.stderr).toBe("");
  expect(JSON.parse(child.stdout)).toEqual({
    imported: false,
    inProcessJob: "completed",
    afterInProcessQueue: false,
    redisJob: "completed",
    afterRedisQueue: true,
  });
});
