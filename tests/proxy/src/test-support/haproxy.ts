import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "@keel/testkit";

/** deploy/haproxy/haproxy.cfg, the configuration a deployment uses, unchanged. */
export const HAPROXY_CONFIG = fileURLToPath(new URL("../../../../deploy/haproxy/haproxy.cfg", import.meta.url));

export interface HaproxyHandle {
  /** "http://127.0.0.1:port/trpc" and "http://127.0.0.1:port/graphql" through the proxy. */
  readonly trpcUrl: string;
  readonly graphqlUrl: string;
  /** What HAProxy wrote (its alerts and warnings), for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's haproxy in the foreground on two free loopback ports with the deploy/
 * config, its server lines pointed at the instances through the environment.
 */
export async function startHaproxy(instances: {
  trpc: [string, string];
  graphql: [string, string];
}): Promise<HaproxyHandle> {
  const [trpcPort, graphqlPort] = await Promise.all([freePort(), freePort()]);
  const child: ChildProcess = spawn(process.env.HAPROXY_BIN ?? "haproxy", ["-db", "-f", HAPROXY_CONFIG], {
    env: {
      ...process.env,
      KEEL_PROXY_TRPC: `127.0.0.1:${trpcPort}`,
      KEEL_PROXY_GRAPHQL: `127.0.0.1:${graphqlPort}`,
      KEEL_TRPC_1: instances.trpc[0],
      KEEL_TRPC_2: instances.trpc[1],
      KEEL_GRAPHQL_1: instances.graphql[0],
      KEEL_GRAPHQL_2: instances.graphql[1],
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let spawnError: Error | undefined;
  // No haproxy on PATH: say so instead of an unhandled error (.ci/run installs Debian's).
  child.once("error", (error) => (spawnError = error));
  const handle: HaproxyHandle = {
    trpcUrl: `http://127.0.0.1:${trpcPort}/trpc`,
    graphqlUrl: `http://127.0.0.1:${graphqlPort}/graphql`,
    output: () => output,
    async stop() {
      if (spawnError) return;
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  // Ready once both frontends answer /readyz through to an instance.
  const deadline = Date.now() + 10_000;
  for (const port of [trpcPort, graphqlPort]) {
    for (;;) {
      if (spawnError) throw new Error(`cannot run haproxy (set HAPROXY_BIN or install it): ${spawnError.message}`);
      if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${output}`);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) {
        await handle.stop();
        throw new Error(`haproxy did not pass /readyz on port ${port} within 10 s: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return handle;
}
