import { Cluster, Redis } from "ioredis";

export interface RedisConnectionOptions {
  /** redis://host:port[/db]. Ignored when `client` or `cluster` is given. */
  url?: string;
  /** A client you own (not closed by the queue). It must have no ioredis keyPrefix (BullMQ refuses one). */
  client?: Redis | Cluster;
  /** Redis Cluster seed nodes ("host:port"), through ioredis' Cluster client. */
  cluster?: { nodes: string[] };
}

export interface RedisConnections {
  /** Commands: the store's scripts and BullMQ's producer side. */
  commands: Redis | Cluster;
  /** A lazy template a BullMQ Worker duplicates (maxRetriesPerRequest: null, as BullMQ requires). */
  workerTemplate(): Redis | Cluster;
  /** A fresh connection for pub/sub. */
  subscriber(): Redis | Cluster;
  /** Closes the connections created here (not a client passed in). */
  close(): Promise<void>;
}

// Commands fail after a couple of reconnect attempts instead of waiting indefinitely, so an
// enqueue during an outage becomes a typed error rather than a hung request.
const COMMAND_OPTIONS = { maxRetriesPerRequest: 2 } as const;
const BLOCKING_OPTIONS = { maxRetriesPerRequest: null, lazyConnect: true } as const;

function clusterNodes(nodes: string[]) {
  return nodes.map((node) => {
    const [host, port] = node.split(":");
    return { host: host ?? "127.0.0.1", port: Number(port ?? 6379) };
  });
}

export function createRedisConnections(
  options: RedisConnectionOptions,
  onError: (error: Error) => void,
): RedisConnections {
  const owned: (Redis | Cluster)[] = [];
  const track = <T extends Redis | Cluster>(connection: T): T => {
    connection.on("error", onError);
    owned.push(connection);
    return connection;
  };
  const duplicate = (base: Redis | Cluster, extra: Record<string, unknown>) =>
    base instanceof Cluster
      ? base.duplicate(undefined, { redisOptions: { ...base.options.redisOptions, ...extra } })
      : base.duplicate(extra);

  let commands: Redis | Cluster;
  if (options.client) commands = options.client;
  else if (options.cluster) {
    commands = track(new Cluster(clusterNodes(options.cluster.nodes), { redisOptions: COMMAND_OPTIONS }));
  } else commands = track(new Redis(options.url ?? "redis://127.0.0.1:6379", COMMAND_OPTIONS));

  return {
    commands,
    workerTemplate: () => track(duplicate(commands, BLOCKING_OPTIONS)),
    subscriber: () => track(duplicate(commands, {})),
    async close() {
      for (const connection of owned.splice(0)) connection.disconnect();
    },
  };
}
