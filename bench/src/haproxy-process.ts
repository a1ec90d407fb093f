import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./repo-root.ts";

/**
 * deploy/haproxy/haproxy.cfg in the foreground, listening on `listen` for tRPC (and on
 * `graphqlListen` for GraphQL), its two server lines per backend taken from `servers`.
 * Resolves once /readyz answers through it.
 */
export async function startHaproxy(options: {
  listen: string;
  graphqlListen: string;
  trpcServers: readonly [string, string];
  graphqlServers: readonly [string, string];
}): Promise<{ pid: number | undefined; stop(): Promise<void> }> {
  const child = spawn(
    process.env.HAPROXY_BIN ?? "haproxy",
    ["-db", "-f", join(repoRoot, "deploy/haproxy/haproxy.cfg")],
    {
      env: {
        ...process.env,
        KEEL_PROXY_TRPC: options.listen,
        KEEL_PROXY_GRAPHQL: options.graphqlListen,
        KEEL_TRPC_1: options.trpcServers[0],
        KEEL_TRPC_2: options.trpcServers[1],
        KEEL_GRAPHQL_1: options.graphqlServers[0],
        KEEL_GRAPHQL_2: options.graphqlServers[1],
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await fetch(`http://${options.listen}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error("haproxy did not start (is it installed? HAPROXY_BIN names another binary)");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid: child.pid, stop };
}
