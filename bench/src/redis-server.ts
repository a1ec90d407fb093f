import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./processes.ts";

export interface BenchRedisServer {
  port: number;
  url: string;
  /** The server's own process id, for reading its CPU time. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway redis-server on a free loopback port, with persistence off so a
 * snapshot never lands inside a measured window.
 */
export async function startRedisServer(
  binary = process.env.REDIS_SERVER_BIN ?? "redis-server",
): Promise<BenchRedisServer> {
  const port = await freePort();
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const failed = new Promise<never>((_resolve, reject) => {
    child.once("error", (error) =>
      reject(
        new Error(`cannot start ${binary}: ${error.message} (apt-get install redis-server, or set REDIS_SERVER_BIN)`),
      ),
    );
    child.once("exit", (code) => reject(new Error(`${binary} exited with code ${code} before answering`)));
  });
  failed.catch(() => {});
  await Promise.race([waitForPing(port), failed]);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForPing(port: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const client = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => {}); // refused while the server starts; the connect() below reports it
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch {
      // not listening yet
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
}
