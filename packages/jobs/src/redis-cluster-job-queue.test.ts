// The durable queue's contract on a local 3-master, 3-replica Redis Cluster: BullMQ's keys
// and the job records share the queue's {hash tag}, so every script stays in one slot.
import { startRedisCluster, type RedisClusterHandle } from "@keel/testkit";
import { afterAll, beforeAll } from "vitest";
import { createRedisJobQueue } from "./redis-job-queue.ts";
import { describeJobQueueContract } from "./test-support/job-queue-contract.ts";

let cluster: RedisClusterHandle | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describeJobQueueContract("redis-cluster", () => (options) => {
  if (!cluster) throw new Error("the cluster is used before beforeAll ran");
  return createRedisJobQueue({ cluster: { nodes: [...cluster.seeds] }, ...options });
});
