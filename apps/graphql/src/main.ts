/**
 * Runs the GraphQL service alone: the only place that reads the environment; settings
 * in, service out. A configuration or startup problem prints one message and exits 1;
 * SIGTERM/SIGINT drain gracefully and exit 0. (`pnpm start` at the repo root runs everything.)
 * KEEL_WORKERS=N runs N processes on the one port (node:cluster), sharing state through Redis.
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
import { startGraphqlService } from "./start-graphql-service.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  // KEEL_WORKERS=N (N > 1): this process forks N workers that share the port, and supervises them.
  if (isWorkerSupervisor(config)) return superviseWorkers(config);
  const pipeline = createPipeline(config);
  // Background jobs: the in-process queue's worker must run here; with Redis, unless jobs.worker is false.
  const worker = pipeline.jobs.workerInProcess ? pipeline.jobs.startWorker() : undefined;
  try {
    const host = await startGraphqlService({ pipeline });
    // /readyz and /metrics on their own listener when services.admin.port is set.
    const admin = await startAdminHost(pipeline).catch(async (error: unknown) => {
      await host.shutdown();
      throw error;
    });
    if (admin) console.log(`Keel admin endpoints on ${admin.url}`);
    console.log(`Keel GraphQL service listening on ${host.url}/graphql`);
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
