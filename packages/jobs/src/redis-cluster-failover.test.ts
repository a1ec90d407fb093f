// Jobs through a master failover: two queue instances and two workers on a local Redis
// Cluster, jobs enqueued at a steady pace while the master holding the queue's {hash tag}
// is SIGKILLed and its replica promoted.
import { startRedisCluster, type RedisClusterHandle } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobWorker, type JobWorker } from "./job-worker.ts";
import { createRedisJobQueue } from "./redis-job-queue.ts";
import { eventually, uniqueName } from "./test-support/queue-fixtures.ts";
import type { JobQueue } from "./types.ts";

let cluster: RedisClusterHandle | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe("the Redis job queue through a master failover", () => {
  it("loses no acknowledged job and runs none twice", async () => {
    const name = uniqueName("failover");
    const queues: JobQueue[] = [1, 2].map(() =>
      createRedisJobQueue({
        cluster: { nodes: [...cluster!.seeds] },
        name,
        lockDurationMs: 5_000,
        stalledIntervalMs: 1_000,
        onError: () => {},
      }),
    );
    const runs = new Map<number, number>();
    const workers: JobWorker[] = queues.map((queue) =>
      createJobWorker({
        queue,
        concurrency: 4,
        depthEveryMs: 0,
        onError: () => {},
        process: async (job) => {
          const { n } = job.request as { n: number };
          runs.set(n, (runs.get(n) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 30));
          return { n };
        },
      }),
    );
    const acknowledged: { n: number; id: string }[] = [];
    const refused: number[] = [];
    let killed: Promise<Awaited<ReturnType<RedisClusterHandle["killMaster"]>>> | undefined;
    for (let n = 0; n < 80; n++) {
      if (n === 20) killed = cluster!.killMaster({ key: "{keel-jobs}" });
      try {
        const { id } = await queues[n % 2]!.enqueue({ tenant: "acme", kind: "generate", request: { n } });
        acknowledged.push({ n, id });
      } catch {
        refused.push(n); // the caller got an error: not acknowledged, not expected to run
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const failover = await killed!;
    // Every acknowledged job reaches a final state, and it is "completed": the job in flight at
    // the kill used to end "failed" (INTERNAL) or run twice when its outcome write met the dead
    // master (see completion-write-failure.test.ts).
    let finals: Awaited<ReturnType<JobQueue["get"]>>[] = [];
    await eventually(async () => {
      finals = await Promise.all(acknowledged.map(({ id }) => queues[0]!.get("acme", id)));
      expect(finals.filter((job) => !(job && ["completed", "failed"].includes(job.state)))).toEqual([]);
    }, 30_000);
    const failed = finals.filter((job) => job?.state === "failed");
    expect(failed.map((job) => ({ id: job?.id, error: job?.error }))).toEqual([]);
    for (const worker of workers) await worker.close();
    for (const queue of queues) await queue.close();
    const lost = acknowledged.filter(({ n }) => !runs.has(n));
    const twice = [...runs].filter(([, count]) => count > 1);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    console.info(
      `jobs failover: ${acknowledged.length} acknowledged, ${refused.length} refused during the election, ` +
        `${lost.length} lost, ${twice.length} run twice, ${failed.length} failed; promoted after ${failover.promotedAfterMs} ms, ` +
        `healthy after ${failover.healthyAfterMs} ms`,
    );
  }, 90_000);
});
