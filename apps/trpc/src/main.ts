/**
 * Runs the tRPC service alone: reads settings, builds the pipeline, serves it. A
 * configuration or startup problem prints one message and exits 1; SIGTERM/SIGINT drain
 * gracefully and exit 0. (`pnpm start` at the repo root runs everything.)
 */
import { checkStartup, createPipeline, loadConfig, runMain } from "@keel/core";
import { startTrpcService } from "./service.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  const pipeline = createPipeline(config);
  try {
    // KEEL_DASHBOARD_DIR: a built dashboard to serve at /dashboard (`pnpm start` builds and serves it by itself).
    const dashboardDirectory = process.env.KEEL_DASHBOARD_DIR;
    const host = await startTrpcService({
      pipeline,
      host: config.services.host,
      port: config.services.trpcPort,
      ...(dashboardDirectory ? { dashboardDirectory } : {}),
    });
    console.log(`Keel tRPC service listening on ${host.url}/trpc`);
    return {
      graceMs: config.services.shutdownGraceMs,
      async stop() {
        await host.shutdown();
        await pipeline.close();
      },
    };
  } catch (error) {
    await pipeline.close();
    throw error;
  }
});
