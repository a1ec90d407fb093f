/**
 * Where Keel's shared state lives: one Redis (`redis://`, `rediss://`) or a Redis Cluster
 * (`redis+cluster://host:port,host:port`, `rediss+cluster://` for TLS), with optional
 * `user:password@` before the hosts. Parsed here and nowhere else.
 */
export type RedisTarget =
  | { kind: "single"; url: string }
  | {
      kind: "cluster";
      /** Seed nodes: any reachable one tells the client the whole slot map. */
      nodes: Array<{ host: string; port: number }>;
      username?: string;
      password?: string;
      tls: boolean;
    };

const SINGLE = /^rediss?:\/\//;
const CLUSTER = /^(rediss?)\+cluster:\/\/(.*)$/;

/** The target a URL names, or a message saying what is wrong with it. */
export function parseRedisUrl(url: string): RedisTarget | { problem: string } {
  if (SINGLE.test(url)) return { kind: "single", url };
  const cluster = CLUSTER.exec(url);
  if (!cluster) {
    return {
      problem:
        "expected redis://host:port, rediss://host:port, or redis+cluster://host:port,host:port (rediss+cluster:// for TLS)",
    };
  }
  let rest = cluster[2] ?? "";
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at !== -1) {
    const userInfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userInfo.indexOf(":");
    const user = decodeURIComponent(colon === -1 ? userInfo : userInfo.slice(0, colon));
    if (colon !== -1) password = decodeURIComponent(userInfo.slice(colon + 1));
    if (user !== "") username = user;
  }
  const nodes: Array<{ host: string; port: number }> = [];
  for (const seed of rest.replace(/\/+$/, "").split(",")) {
    const node = parseHostPort(seed.trim());
    if (node === undefined) return { problem: `"${seed}" is not host:port (a cluster URL lists seed nodes)` };
    nodes.push(node);
  }
  return {
    kind: "cluster",
    nodes,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    tls: cluster[1] === "rediss",
  };
}

/** The cluster URL of a config's `redis.cluster` section, so one form flows on from the schema. */
export function clusterUrl(section: { nodes: string[]; username?: string; password?: string; tls?: boolean }): string {
  const user = section.username === undefined ? "" : encodeURIComponent(section.username);
  const password = section.password === undefined ? "" : `:${encodeURIComponent(section.password)}`;
  const userInfo = user !== "" || password !== "" ? `${user}${password}@` : "";
  return `${section.tls ? "rediss" : "redis"}+cluster://${userInfo}${section.nodes.join(",")}`;
}

/** "host:port" or "[ipv6]:port"; the port is required (a cluster has no default one). */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s,/@]+):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: (match[1] ?? "").replace(/^\[|\]$/g, ""), port };
}

/** The URL with any password replaced by `***`, for messages. */
export function redisUrlForDisplay(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:@/]*:)[^@]*@/, "$1***@");
}
