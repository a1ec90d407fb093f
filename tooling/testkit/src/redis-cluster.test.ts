import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseClusterNodes } from "./cluster-topology.ts";
import { startRedisCluster, type RedisClusterHandle } from "./redis-cluster.ts";
import { respCommand } from "./resp-command.ts";

const portOf = (seed: string) => Number(seed.split(":")[1]);

describe("startRedisCluster", () => {
  let cluster: RedisClusterHandle;
  let startedInMs = 0;
  beforeAll(async () => {
    const started = Date.now();
    cluster = await startRedisCluster();
    startedInMs = Date.now() - started;
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("forms 3 masters with one replica each on loopback, every slot covered, within seconds", async () => {
    expect(cluster.seeds).toHaveLength(6);
    expect(cluster.url).toBe(`redis+cluster://${cluster.seeds.join(",")}`);
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    for (const master of masters) expect(master.replicaPorts).toHaveLength(1);
    const ports = new Set([...masters.map((master) => master.port), ...masters.flatMap((m) => m.replicaPorts)]);
    expect([...ports].sort()).toEqual(cluster.seeds.map(portOf).sort());
    const info = String(await respCommand(portOf(cluster.seeds[0]!), ["CLUSTER", "INFO"]));
    expect(info).toContain("cluster_state:ok");
    expect(info).toContain("cluster_slots_ok:16384");
    expect(startedInMs).toBeLessThan(15_000);
  });

  it("routes keys to different masters, and a master refuses a key of another slot (MOVED)", async () => {
    const owners = new Set<number>();
    for (const key of ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]) owners.add(await cluster.masterOf(key));
    expect(owners.size).toBeGreaterThan(1);
    const owner = await cluster.masterOf("alpha");
    expect(await respCommand(owner, ["SET", "alpha", "1"])).toBe("OK");
    const other = (await cluster.masters()).find((master) => master.port !== owner)!;
    await expect(respCommand(other.port, ["SET", "alpha", "2"])).rejects.toThrow(/MOVED/);
  });

  it("SIGKILLs a master, promotes its replica (which kept the data) and heals; the killed node rejoins as a replica", async () => {
    const key = "failover-key";
    const before = await cluster.masters();
    const owner = await cluster.masterOf(key);
    expect(await respCommand(owner, ["SET", key, "kept"])).toBe("OK");
    const replica = before.find((master) => master.port === owner)!.replicaPorts[0]!;
    // Replication is asynchronous: wait until the replica holds the write before the crash.
    await cluster.waitReplicated();

    const failover = await cluster.killMaster({ key });
    expect(failover.killedPort).toBe(owner);
    expect(failover.promotedPort).toBe(replica);
    expect(failover.promotedAfterMs).toBeGreaterThan(0);
    expect(failover.healthyAfterMs).toBeGreaterThanOrEqual(failover.promotedAfterMs);
    expect(failover.healthyAfterMs).toBeLessThan(15_000);
    expect(await cluster.masterOf(key)).toBe(replica);
    expect(await respCommand(replica, ["GET", key])).toBe("kept");
    await expect(respCommand(owner, ["PING"], 300)).rejects.toThrow();

    await cluster.restart(owner);
    const view = parseClusterNodes(String(await respCommand(owner, ["CLUSTER", "NODES"])));
    const self = view.find((node) => node.myself)!;
    expect(self.role).toBe("replica");
    expect(view.find((node) => node.id === self.masterId)?.port).toBe(replica);
    expect((await cluster.masters()).find((master) => master.port === replica)?.replicaPorts).toEqual([owner]);
  }, 60_000);

  it("stop() kills every node and removes the cluster's directory", async () => {
    const own = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    expect(existsSync(`${own.directory}/${portOf(own.seeds[0]!)}/nodes.conf`)).toBe(true);
    await own.stop();
    for (const seed of own.seeds) await expect(respCommand(portOf(seed), ["PING"], 300)).rejects.toThrow();
    expect(existsSync(own.directory)).toBe(false);
    await own.stop(); // twice is fine
  }, 60_000);
});
