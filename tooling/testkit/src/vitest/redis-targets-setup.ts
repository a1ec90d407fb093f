// A vitest global setup: one redis-server and one Redis Cluster for a package's whole test
// run, handed to the test files through `inject("keelRedisTargets")` (see redisTargets()).
import type { TestProject } from "vitest/node";
import { startRedisCluster } from "../redis-cluster.ts";
import { startRedisServer } from "../redis-server.ts";
import "../redis-targets.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  project.provide("keelRedisTargets", { redisUrl: server.url, clusterSeeds: [...cluster.seeds] });
  return async () => {
    await Promise.all([server.stop(), cluster.stop()]);
  };
}
