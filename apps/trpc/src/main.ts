/**
 * Runs the tRPC service alone: reads settings, builds the pipeline, serves it. A
 * configuration or startup problem prints one message and exits 1; SIGTERM/SIGINT drain
 * gracefully and exit 0. (`pnpm start` at the repo root runs everything.) KEEL_WORKERS=N runs
 * N processes on the one port (node:cluster), sharing state through Redis.
 */
import {
  checkStartup,
  createPipeline,
  isWorkerSupervisor,
  loadConfig,
  runMain,
  startAdminHost,
  superviseWorkers,
} from "@keel/core";
import { startTrpcService } from "./service.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  // KEEL_WORKERS=N (N > 1): this process forks N workers that share the port, and supervises them.
  if (isWorkerSupervisor(config)) return superviseWorkers(config);
  const pipeline = createPipeline(config);
  // Background jobs: the in-process queue's worker must run here; with Redis, unless jobs.worker is false.
  const worker = pipeline.jobs.workerInProcess ? pipeline.jobs.startWorker() : undefined;
  try {
    // KEEL_DASHBOARD_DIR: a built dashboard to serve at /dashboard (`pnpm start` builds and serves it by itself).
    const dashboardDirectory = process.env.KEEL_DASHBOARD_DIR;
    const host = await startTrpcService({
      pipeline,
      host: config.services.host,
      port: config.services.trpcPort,
      ...(dashboardDirectory ? { dashboardDirectory } : {}),
    });
    // /readyz and /metrics on their own listener when services.admin.port is set.
    const admin = await startAdminHost(pipeline).catch(async (error: unknown) => {
      await host.shutdown();
      throw error;
    });
    if (admin) console.log(`Keel admin endpoints on ${admin.url}`);
    console.log(`Keel tRPC service listening on ${host.url}/trpc`);
    console.log(await pipeline.governance.auth.describe());
    return {
      graceMs: config.services.shutdownGraceMs,
      async stop() {
        await host.shutdown();
        await worker?.close({ graceMs: config.services.shutdownGraceMs });
        await admin?.close();
        await pipeline.close();
      },
    };
  } catch (error) {
    await pipeline.close();
    throw error;
  }
});
