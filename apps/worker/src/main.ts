/**
 * `pnpm --filter @keel/worker start`: runs background jobs from the Redis queue through the same
 * pipeline and config as the services (loadConfig reads KEEL_CONFIG and the environment). A
 * configuration or startup problem prints one message and exits 1; SIGTERM/SIGINT let running
 * jobs finish within the grace, hand the rest back to the queue, and exit 0.
 */
import { loadConfig, runMain } from "@keel/core";
import { startWorker } from "./start-worker.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  const running = await startWorker(config);
  console.log(
    `Keel worker running jobs from the ${running.queue} queue "${config.jobs.name}" (concurrency ${config.jobs.concurrency}); metrics at ${running.host.url}/metrics`,
  );
  return running;
});
