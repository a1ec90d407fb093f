/**
 * Runs the tRPC service alone: reads settings, builds the pipeline, serves it, and shuts
 * down gracefully on SIGTERM/SIGINT. (`pnpm start` at the repo root runs everything.)
 */
import { createPipeline, loadConfig } from "@keel/core";
import { startTrpcService } from "./service.ts";

const config = loadConfig(process.env);
const pipeline = createPipeline(config);
const host = await startTrpcService({ pipeline, host: config.services.host, port: config.services.trpcPort });
console.log(`Keel tRPC service listening on ${host.url}/trpc`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: draining (up to ${config.services.shutdownGraceMs} ms)`);
  await host.shutdown();
  await pipeline.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
