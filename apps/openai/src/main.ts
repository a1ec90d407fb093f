/**
 * Runs the OpenAI-compatible service alone: reads settings, builds the pipeline, serves it.
 * A configuration or startup problem prints one message and exits 1; SIGTERM/SIGINT drain
 * gracefully and exit 0. (`pnpm start` at the repo root runs everything.)
 */
import { checkStartup, createPipeline, loadConfig, runMain } from "@keel/core";
import { startOpenaiService } from "./service.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  const pipeline = createPipeline(config);
  try {
    const host = await startOpenaiService({ pipeline });
    console.log(`Keel OpenAI-compatible service listening on ${host.url}/v1`);
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
