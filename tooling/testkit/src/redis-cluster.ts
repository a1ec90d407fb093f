import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterNodeProcess, type ClusterNodeProcess } from "./cluster-node-process.ts";
import { parseClusterInfo, parseClusterNodes, type ClusterNodeView } from "./cluster-topology.ts";
import { freePort } from "./free-port.ts";
import { redisCliBinary, redisServerBinary, requireBinary } from "./redis-binary.ts";
import { respCommand } from "./resp-command.ts";

export interface RedisClusterOptions {
  /** Default 3. */
  masters?: number;
  /** Default 1. */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout`: how long a master may be unreachable before its replica takes
   * over. Default 1,000 ms (Redis' own default, 15 s, makes a failover test wait 16 s).
   */
  nodeTimeoutMs?: number;
  /** Upper bound of forming the cluster, of each failover and of each restart. Default 30,000 ms. */
  timeoutMs?: number;
}

/** A master as the cluster sees it now. */
export interface ClusterMaster {
  port: number;
  id: string;
  slots: string[];
  replicaPorts: number[];
}

/** What a `killMaster` did and how long the cluster took to heal. */
export interface ClusterFailover {
  killedPort: number;
  promotedPort: number;
  /** Date.now() just before the SIGKILL. */
  killedAt: number;
  /** From the kill until the replica called itself master. */
  promotedAfterMs: number;
  /** From the kill until every running node agreed on a full slot map again (cluster_state:ok). */
  healthyAfterMs: number;
}

export interface RedisClusterHandle {
  /** "127.0.0.1:port" of every node: seed nodes for a Cluster client. */
  readonly seeds: readonly string[];
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,...`: the REDIS_URL form Keel accepts. */
  readonly url: string;
  /** The temporary directory of the nodes' files (nodes.conf, redis.log per port); removed by stop(). */
  readonly directory: string;
  /** The current masters (asks a running node). */
  masters(): Promise<ClusterMaster[]>;
  /** The port of the master that serves `key` now (CLUSTER KEYSLOT, then the slot map). */
  masterOf(key: string): Promise<number>;
  /**
   * SIGKILLs a master (the one serving `key`, or the one on `port`, else the first) and
   * waits until one of its replicas is promoted and every running node agrees on a full
   * slot map again.
   */
  killMaster(target?: { key?: string; port?: number }): Promise<ClusterFailover>;
  /** Starts a killed node again; it rejoins as a replica of the master that replaced it. */
  restart(port: number): Promise<void>;
  /** Resolves when every running node reports cluster_state:ok and the same full slot map. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /**
   * Resolves when every running replica has applied everything its master has written
   * (equal replication offsets). Replication is asynchronous: a write a master acknowledged
   * and then died with can be lost, as in production; tests that need it kept wait here.
   * (WAIT is not enough: right after a replica's first sync, Redis 7.0 counted it before it
   * had received a write.)
   */
  waitReplicated(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

const TOTAL_SLOTS = 16_384;

/**
 * Starts a local Redis Cluster (3 masters, 3 replicas by default) on free loopback ports,
 * in a temporary directory, with persistence off: `redis-server --cluster-enabled yes` per
 * node, `redis-cli --cluster create --cluster-replicas 1`, then waits until every node says
 * `cluster_state:ok` with all 16384 slots covered. Fails loudly (never skips) when
 * redis-server or redis-cli is missing. Call `stop()` in afterAll; the processes are also
 * killed when the test process exits.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  requireBinary(redisServerBinary, "REDIS_SERVER_BIN");
  requireBinary(redisCliBinary, "REDIS_CLI_BIN");
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1_000;
  const directory = mkdtempSync(join(tmpdir(), "keel-redis-cluster-"));
  const nodes: ClusterNodeProcess[] = [];
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(nodes.map((node) => node.kill()));
    rmSync(directory, { recursive: true, force: true });
  };

  try {
    for (let index = 0; index < masters * (1 + replicasPerMaster); index++) {
      nodes.push(await startNode({ directory, nodeTimeoutMs, startTimeoutMs: Math.min(timeoutMs, 10_000) }));
    }
    await createCluster(
      nodes.map((node) => node.port),
      { replicasPerMaster, timeoutMs },
    );
  } catch (error) {
    const logs = nodes.map((node) => `--- port ${node.port}\n${node.logTail(4)}`).join("\n");
    await stop();
    throw new Error(`the Redis Cluster did not start: ${(error as Error).message}\n${logs}`, { cause: error });
  }

  const running = () => nodes.filter((node) => node.running);
  const waitHealthy = (bound = timeoutMs, minReplicas = 0) =>
    waitFor(`every running node agrees on a full slot map`, bound, async () => {
      const problem = await clusterProblem(
        running().map((node) => node.port),
        minReplicas,
      );
      return problem === undefined ? true : problem;
    });

  const viewFromAnyNode = async (): Promise<ClusterNodeView[]> => {
    let lastError: unknown;
    for (const node of running()) {
      try {
        return parseClusterNodes(String(await respCommand(node.port, ["CLUSTER", "NODES"])));
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no cluster node answers: ${(lastError as Error | undefined)?.message ?? "none running"}`);
  };

  const mastersNow = async (): Promise<ClusterMaster[]> => {
    const view = await viewFromAnyNode();
    return view
      .filter((node) => node.role === "master" && !node.failing && node.slots.length > 0)
      .map((master) => ({
        port: master.port,
        id: master.id,
        slots: master.slots,
        replicaPorts: view
          .filter((node) => node.masterId === master.id && !node.failing)
          .map((replica) => replica.port),
      }));
  };

  const masterOf = async (key: string): Promise<number> => {
    const seed = running()[0];
    if (!seed) throw new Error("no cluster node is running");
    const slot = Number(await respCommand(seed.port, ["CLUSTER", "KEYSLOT", key]));
    const owner = (await mastersNow()).find((master) => master.slots.some((range) => inRange(slot, range)));
    if (!owner) throw new Error(`no master serves slot ${slot} (key "${key}")`);
    return owner.port;
  };

  const waitReplicated = (bound = timeoutMs) =>
    waitFor("every replica has applied its master's writes", bound, async () => {
      for (const master of await mastersNow()) {
        const offset = replicationOffset(String(await respCommand(master.port, ["INFO", "replication"])));
        for (const replica of master.replicaPorts) {
          const applied = replicationOffset(String(await respCommand(replica, ["INFO", "replication"])));
          if (applied < offset) return `replica ${replica} at offset ${applied} of ${offset}`;
        }
      }
      return true;
    });

  await waitHealthy(timeoutMs, replicasPerMaster);
  return {
    seeds: nodes.map((node) => `127.0.0.1:${node.port}`),
    url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(",")}`,
    directory,
    masters: mastersNow,
    masterOf,
    async killMaster(target = {}) {
      const current = await mastersNow();
      const port = target.key !== undefined ? await masterOf(target.key) : (target.port ?? current[0]?.port);
      const victim = current.find((master) => master.port === port);
      const node = nodes.find((candidate) => candidate.port === port);
      if (!victim || !node) throw new Error(`port ${port} is not a running master of this cluster`);
      if (victim.replicaPorts.length === 0) throw new Error(`the master on port ${port} has no replica to promote`);
      const killedAt = Date.now();
      await node.kill();
      let promotedPort = 0;
      await waitFor(
        `a replica of port ${port} (${victim.replicaPorts.join(", ")}) is promoted`,
        timeoutMs,
        async () => {
          for (const replicaPort of victim.replicaPorts) {
            const own = parseClusterNodes(String(await respCommand(replicaPort, ["CLUSTER", "NODES"])));
            if (own.find((view) => view.myself)?.role === "master") {
              promotedPort = replicaPort;
              return true;
            }
          }
          return "still a replica";
        },
      );
      const promotedAfterMs = Date.now() - killedAt;
      await waitHealthy();
      return {
        killedPort: victim.port,
        promotedPort,
        killedAt,
        promotedAfterMs,
        healthyAfterMs: Date.now() - killedAt,
      };
    },
    async restart(port) {
      const node = nodes.find((candidate) => candidate.port === port);
      if (!node) throw new Error(`port ${port} is not a node of this cluster`);
      if (node.running) return;
      await node.start();
      await waitFor(`the restarted node on port ${port} is known again by every node`, timeoutMs, async () => {
        for (const other of running()) {
          const view = parseClusterNodes(String(await respCommand(other.port, ["CLUSTER", "NODES"])));
          const seen = view.find((candidate) => candidate.port === port);
          if (!seen || seen.failing || (!seen.myself && !seen.connected))
            return `port ${other.port} does not see it yet`;
        }
        return true;
      });
      await waitHealthy();
    },
    waitHealthy: (bound) => waitHealthy(bound),
    waitReplicated,
    stop,
  };
}

/** Starts one node on fresh free ports, trying new ports when another process took them first. */
async function startNode(settings: {
  directory: string;
  nodeTimeoutMs: number;
  startTimeoutMs: number;
}): Promise<ClusterNodeProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const node = clusterNodeProcess({ ...settings, port: await freePort(), busPort: await freePort() });
    try {
      await node.start();
      return node;
    } catch (error) {
      lastError = error;
      await node.kill();
    }
  }
  throw lastError;
}

function createCluster(ports: number[], options: { replicasPerMaster: number; timeoutMs: number }): Promise<void> {
  const args = [
    "--cluster",
    "create",
    ...ports.map((port) => `127.0.0.1:${port}`),
    "--cluster-replicas",
    String(options.replicasPerMaster),
    "--cluster-yes",
  ];
  return new Promise((resolve, reject) => {
    execFile(redisCliBinary, args, { timeout: options.timeoutMs, env: { NO_COLOR: "1" } }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const output = `${stdout}\n${stderr}`.trim().split("\n").slice(-6).join("\n");
      reject(new Error(`redis-cli --cluster create failed (${error.message.split("\n", 1)[0]}):\n${output}`));
    });
  });
}

/**
 * Why the cluster is not healthy yet, as seen from `ports`, or undefined when every node
 * reports cluster_state:ok with all slots served, all of them name the same master and
 * replicas for every slot range (so a client that reads the map from any node routes the
 * same way), each master has at least `minReplicas`, and every replica is in sync with its
 * master (so it can take over with the data).
 */
async function clusterProblem(ports: number[], minReplicas: number): Promise<string | undefined> {
  let agreed: string | undefined;
  for (const port of ports) {
    const info = parseClusterInfo(String(await respCommand(port, ["CLUSTER", "INFO"])));
    if (info.get("cluster_state") !== "ok") return `port ${port}: cluster_state:${info.get("cluster_state")}`;
    if (info.get("cluster_slots_ok") !== String(TOTAL_SLOTS)) {
      return `port ${port}: cluster_slots_ok:${info.get("cluster_slots_ok")}`;
    }
    const view = parseClusterNodes(String(await respCommand(port, ["CLUSTER", "NODES"])));
    const self = view.find((node) => node.myself);
    const replication = String(await respCommand(port, ["INFO", "replication"]));
    // A replica that has not synced could not take over with the data: both ends must say the
    // link is up (the master counts a replica for WAIT only once it is "online").
    if (self?.role === "replica" && !replication.includes("master_link_status:up")) {
      return `port ${port}: replica not in sync with its master`;
    }
    if (self?.role === "master") {
      const replicas = view.filter((node) => node.masterId === self.id && !node.failing).length;
      const online = replication.match(/^slave\d+:.*state=online/gm)?.length ?? 0;
      if (online < replicas) return `port ${port}: ${online} of ${replicas} replicas online`;
    }
    const masters = view.filter((node) => node.role === "master" && !node.failing && node.slots.length > 0);
    const replicasOf = (master: ClusterNodeView) =>
      view.filter((node) => node.masterId === master.id && !node.failing).map((node) => node.port);
    const short = masters.find((master) => replicasOf(master).length < minReplicas);
    if (short) return `port ${port} sees fewer than ${minReplicas} replicas of port ${short.port}`;
    const map = masters
      .map((master) => `${master.slots.join(",")}@${master.port}<${replicasOf(master).sort().join("+")}`)
      .sort()
      .join(" ");
    if (agreed !== undefined && agreed !== map) return `nodes disagree on the slot map (${agreed} / ${map})`;
    agreed = map;
  }
  return undefined;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<true | string>): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "not checked yet";
  while (Date.now() < until) {
    try {
      const outcome = await check();
      if (outcome === true) return;
      last = outcome;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Redis Cluster: timed out after ${timeoutMs} ms waiting until ${what}; last seen: ${last}`);
}

function replicationOffset(info: string): number {
  return Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? 0);
}

function inRange(slot: number, range: string): boolean {
  const [first, last] = range.split("-").map(Number);
  return first !== undefined && slot >= first && slot <= (last ?? first);
}
