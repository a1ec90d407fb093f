import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisJobQueue } from "./redis-job-queue.ts";
import { describeJobQueueContract } from "./test-support/job-queue-contract.ts";

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

describeJobQueueContract("redis", () => (options) => createRedisJobQueue({ url: redis.url, ...options }));

describe("createRedisJobQueue", () => {
  it("says what it is", async () => {
    const queue = createRedisJobQueue({ url: redis.url });
    expect(queue.kind).toBe("redis");
    await queue.close();
  });
});
