/** One line of CLUSTER NODES, as the node asked sees the cluster. */
export interface ClusterNodeView {
  id: string;
  port: number;
  role: "master" | "replica";
  /** The master's id, for a replica. */
  masterId?: string;
  /** Marked failed (`fail`) or suspected (`fail?`) by the node asked. */
  failing: boolean;
  connected: boolean;
  myself: boolean;
  /** Slot ranges ("0-5460") a master serves. */
  slots: string[];
}

/**
 * Parses CLUSTER NODES: `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...`
 * (https://redis.io/commands/cluster-nodes/).
 */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  const nodes: ClusterNodeView[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(" ");
    const [id, address, flagText, master, , , , link, ...slots] = fields;
    if (!id || !address || !flagText || !master || !link) continue;
    const flags = flagText.split(",");
    const port = Number(address.split("@", 1)[0]?.split(":").at(-1));
    nodes.push({
      id,
      port,
      role: flags.includes("master") ? "master" : "replica",
      ...(master === "-" ? {} : { masterId: master }),
      failing: flags.includes("fail") || flags.includes("fail?"),
      connected: link === "connected",
      myself: flags.includes("myself"),
      slots: slots.filter((slot) => /^\d/.test(slot)),
    });
  }
  return nodes;
}

/** CLUSTER INFO's `field:value` lines as a map. */
export function parseClusterInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}
