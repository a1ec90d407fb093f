/**
 * Runs the OpenAI-compatible service alone: reads settings, builds the pipeline, serves it.
 * A configuration or startup problem prints one message and exits 1; SIGTERM/SIGINT drain
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
import { startOpenaiService } from "./service.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  // KEEL_WORKERS=N (N > 1): this process forks N workers that share the port, and supervises them.
  if (isWorkerSupervisor(config)) return superviseWorkers(config);
  const pipeline = createPipeline(config);
  try {
    const host = await startOpenaiService({ pipeline });
    // /readyz and /metrics on their own listener when services.admin.port is set.
    const admin = await startAdminHost(pipeline).catch(async (error: unknown) => {
      await host.shutdown();
      throw error;
    });
    if (admin) console.log(`Keel admin endpoints on ${admin.url}`);
    console.log(`Keel OpenAI-compatible service listening on ${host.url}/v1`);
    return {
      graceMs: config.services.shutdownGraceMs,
      async stop() {
        await host.shutdown();
        await admin?.close();
        await pipeline.close();
      },
    };
  } catch (error) {
    await pipeline.close();
    throw error;
  }
});
