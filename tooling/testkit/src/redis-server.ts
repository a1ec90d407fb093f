import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { reapOnExit } from "./child-reaper.ts";
import { freePort } from "./free-port.ts";
import { redisServerBinary, requireBinary } from "./redis-binary.ts";

export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  /** Kills the server abruptly (SIGKILL), as a crash would; `start()` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server for good. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a real redis-server on a free port with persistence off. Fails loudly when the
 * binary is missing: tests that need Redis never skip.
 */
export async function startRedisServer(): Promise<RedisServerHandle> {
  requireBinary(redisServerBinary, "REDIS_SERVER_BIN");
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      redisServerBinary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    reapOnExit(child);
    await waitForPort(port, 5_000);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    stop: kill,
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server did not start listening on port ${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
