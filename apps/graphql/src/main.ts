/**
 * Runs the GraphQL service alone: the only place that reads the environment; settings
 * in, service out. A configuration or startup problem prints one message and exits 1;
 * SIGTERM/SIGINT drain gracefully and exit 0. (`pnpm start` at the repo root runs everything.)
 * KEEL_WORKERS=N runs N processes on the one port (node:cluster), sharing state through Redis.
 */
import { checkStartup, createPipeline, isWorkerSupervisor, loadConfig, runMain, superviseWorkers } from "@keel/core";
import { startGraphqlService } from "./start-graphql-service.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  // KEEL_WORKERS=N (N > 1): this process forks N workers that share the port, and supervises them.
  if (isWorkerSupervisor(config)) return superviseWorkers(config);
  const pipeline = createPipeline(config);
  try {
    const host = await startGraphqlService({ pipeline });
    console.log(`Keel GraphQL service listening on ${host.url}/graphql`);
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
