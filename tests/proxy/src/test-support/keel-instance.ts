import { createPipeline, parseConfig, type Pipeline, type ServiceHost } from "@keel/core";
import { startGraphqlService } from "@keel/graphql";
import { startTrpcService } from "@keel/trpc";

/** One Keel instance as a deployment runs it: one pipeline, both services, its own ports. */
export interface KeelInstance {
  readonly name: string;
  readonly pipeline: Pipeline;
  readonly trpc: ServiceHost;
  readonly graphql: ServiceHost;
  /** "127.0.0.1:port" of each service, for the proxy's server lines. */
  readonly trpcAddress: string;
  readonly graphqlAddress: string;
  /** Requests this instance's pipeline served in the last minute (its own telemetry). */
  served(): number;
  /** Graceful shutdown, as on SIGTERM: both services drain, then the pipeline closes. */
  stop(): Promise<void>;
}

export async function startKeelInstance(options: {
  name: string;
  simulatorUrl: string;
  redisUrl: string;
  keyPrefix: string;
}): Promise<KeelInstance> {
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: options.simulatorUrl, apiKey: "test" } },
      models: { chat: { targets: ["sim/gpt-4o-mini"] } },
      defaults: { policy: { retry: false, breaker: false } },
      services: { shutdownGraceMs: 5_000 },
      telemetry: { log: { level: "silent" } },
      redis: { url: options.redisUrl, keyPrefix: options.keyPrefix, commandTimeoutMs: 1_000 },
    }),
  );
  const [trpc, graphql] = await Promise.all([
    startTrpcService({ pipeline, host: "127.0.0.1", port: 0 }),
    startGraphqlService({ pipeline, host: "127.0.0.1", port: 0 }),
  ]);
  let stopped: Promise<void> | undefined;
  return {
    name: options.name,
    pipeline,
    trpc,
    graphql,
    trpcAddress: new URL(trpc.url).host,
    graphqlAddress: new URL(graphql.url).host,
    served: () => pipeline.metricsSnapshot({ all: true }).overall["1m"].requests,
    stop() {
      stopped ??= Promise.all([trpc.shutdown(), graphql.shutdown()]).then(() => pipeline.close());
      return stopped;
    },
  };
}
