import { createPipeline, loadConfig } from "@keel/core";
import { startGraphqlService } from "./start-graphql-service.ts";

// The only place that reads the environment: settings in, service out.
const config = loadConfig(process.env);
const pipeline = createPipeline(config);
const host = await startGraphqlService({ pipeline });
console.log(`keel graphql service listening on ${host.url}/graphql`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: draining (up to ${config.services.shutdownGraceMs} ms)`);
  try {
    await host.shutdown();
    await pipeline.close();
    process.exit(0);
  } catch (error) {
    console.error("shutdown failed", error);
    process.exit(1);
  }
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
