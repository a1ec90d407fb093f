import cluster, { type Worker } from "node:cluster";
import { ConfigError } from "../config/config-error.ts";
import type { KeelConfig } from "../config/schema.ts";
import type { RunningKeel } from "./run-main.ts";
import { StartupError } from "./startup-error.ts";

/**
 * Whether this process should supervise workers instead of serving: `services.workers`
 * (KEEL_WORKERS) above 1 and this is node:cluster's primary. Workers run the same main and
 * see false, so they serve.
 */
export function isWorkerSupervisor(config: KeelConfig): boolean {
  return config.services.workers > 1 && cluster.isPrimary;
}

/**
 * node:cluster's primary for a service's main: forks `services.workers` processes of the
 * same main, which share the service's port, and resolves once each is listening. A worker
 * that exits before it listens fails the start (its own message says why); one that dies
 * later is replaced. `stop()` sends each worker SIGTERM (each drains within the grace)
 * and waits for them. Several processes share caches, limits, coalescing and the usage
 * ledger only through Redis, so more than one worker without `redis.url` (REDIS_URL) is a
 * configuration error.
 */
export async function superviseWorkers(
  config: KeelConfig,
  log: (line: string) => void = (line) => console.log(line),
): Promise<RunningKeel> {
  const count = config.services.workers;
  if (config.redis?.url === undefined) {
    throw new ConfigError("the environment", [
      {
        path: "KEEL_WORKERS",
        message: `${count} workers need Redis (REDIS_URL or redis.url): workers share caches, limits and usage only through Redis`,
      },
    ]);
  }
  let stopping = false;
  const workers = new Set<Worker>();
  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      workers.add(worker);
      let listening = false;
      worker.once("listening", () => {
        listening = true;
        resolve(worker);
      });
      worker.once("exit", (code, signal) => {
        workers.delete(worker);
        if (!listening) reject(new StartupError(`a worker exited (${signal ?? `code ${code}`}) before it listened`));
        else if (!stopping) {
          log(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
          fork().catch((error: unknown) => log(`the replacement worker did not start: ${String(error)}`));
        }
      });
    });

  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once("exit", () => resolve());
            worker.process.kill("SIGTERM");
          }),
      ),
    );
  };
  try {
    await Promise.all(Array.from({ length: count }, fork));
  } catch (error) {
    await stop();
    throw error;
  }
  log(`${count} workers listening (node:cluster, primary ${process.pid})`);
  return { graceMs: config.services.shutdownGraceMs, stop };
}
