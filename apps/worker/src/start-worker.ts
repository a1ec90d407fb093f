import {
  checkStartup,
  createPipeline,
  startServiceHost,
  StartupError,
  type KeelConfig,
  type RunningKeel,
  type ServiceHost,
} from "@keel/core";
import { KeelError } from "@keel/spec";

export interface RunningWorker extends RunningKeel {
  /** The operational listener: /healthz, /readyz, /metrics (queue depth, job durations, outcomes, retries, webhooks). */
  host: ServiceHost;
  /** "redis" */
  queue: string;
}

/**
 * A worker process: the same pipeline and config as the services, consuming the shared (Redis)
 * queue. It refuses the in-process queue, whose jobs only the process that holds them can see
 * (`pnpm start` runs those itself).
 */
export async function startWorker(config: KeelConfig): Promise<RunningWorker> {
  await checkStartup(config);
  const pipeline = createPipeline(config);
  if (pipeline.jobs.queueKind !== "redis") {
    await pipeline.close();
    throw new StartupError(
      "the worker needs the shared Redis queue: set REDIS_URL (or redis.url). Without Redis, jobs live in the " +
        "memory of the process that took them, and `pnpm start` runs them there itself.",
    );
  }
  let host: ServiceHost;
  try {
    host = await startServiceHost({
      name: "worker",
      pipeline,
      host: config.services.host,
      port: config.services.workerPort,
      shutdownGraceMs: config.services.shutdownGraceMs,
      // Only the host's own /healthz, /readyz and /metrics: everything else is a 404.
      serve: () => ({
        handler: (_request, response) => {
          const error = new KeelError("BAD_REQUEST", "the worker serves /healthz, /readyz and /metrics only", {
            details: { reason: "not-found" },
          });
          response.writeHead(404, { "content-type": "application/json; charset=utf-8" });
          response.end(JSON.stringify({ error: error.toJSON() }));
        },
      }),
    });
  } catch (error) {
    await pipeline.close();
    throw error;
  }
  const worker = pipeline.jobs.startWorker();
  // A first reading of the queue depth for /metrics; the worker reads it again every 15 s.
  pipeline.jobs.depth().catch(() => undefined);
  return {
    host,
    queue: pipeline.jobs.queueKind,
    graceMs: config.services.shutdownGraceMs,
    async stop() {
      // Running jobs get the grace to finish; the rest are handed back to the queue at once.
      await worker.close({ graceMs: config.services.shutdownGraceMs });
      await host.shutdown();
      await pipeline.close();
    },
  };
}
