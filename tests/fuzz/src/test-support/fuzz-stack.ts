import { createPipeline, parseConfig, type KeelConfigInput, type Pipeline, type ServiceHost } from "@keel/core";
import { startGraphqlService } from "@keel/graphql";
import { startSimulator, type SimulatorHandle, type SimulatorRule } from "@keel/simulator";
import { startTrpcService } from "@keel/trpc";

export interface FuzzStack {
  simulator: SimulatorHandle;
  pipeline: Pipeline;
  trpc: ServiceHost;
  graphql: ServiceHost;
  /** "http://127.0.0.1:PORT/trpc" */
  trpcUrl: string;
  /** "http://127.0.0.1:PORT/graphql" */
  graphqlUrl: string;
  close(): Promise<void>;
}

/** Every request's deadline in the campaign; a property allows this plus a margin. */
export const REQUEST_TIMEOUT_MS = 2_000;

/**
 * As `pnpm start` runs them: the simulator, one pipeline, and both services on it. Short
 * deadlines and quick retries, so a hang is told from a slow answer within the budget.
 */
export async function startFuzzStack(
  options: { rules?: SimulatorRule[]; config?: Partial<KeelConfigInput> } = {},
): Promise<FuzzStack> {
  const simulator = await startSimulator({ rules: options.rules ?? [] });
  const pipeline = createPipeline(
    parseConfig({
      // Answers past 256 KiB are refused as an operator would configure it: a multi-MiB answer
      // costs seconds of CPU (token counting, safety scans) that no deadline can interrupt.
      providers: { sim: { baseURL: simulator.url, apiKey: "test", maxBodyBytes: 262_144, maxEventBytes: 262_144 } },
      models: {
        "gpt-4o-mini": { targets: ["sim/gpt-4o-mini"] },
        chat: { targets: ["sim/gpt-4o", "sim/gpt-4o-mini"] },
      },
      embeddingModels: { "text-embedding-3-small": "sim/text-embedding-3-small" },
      defaults: {
        timeoutMs: REQUEST_TIMEOUT_MS,
        policy: {
          retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, budget: false },
          breaker: false,
          timeout: { attemptMs: 1_000, firstTokenMs: 1_000, idleMs: 500 },
        },
      },
      services: { shutdownGraceMs: 200 },
      telemetry: { log: { level: "silent" } },
      ...options.config,
    }),
  );
  const trpc = await startTrpcService({ pipeline, host: "127.0.0.1", port: 0 });
  const graphql = await startGraphqlService({ pipeline, host: "127.0.0.1", port: 0 });
  return {
    simulator,
    pipeline,
    trpc,
    graphql,
    trpcUrl: `${trpc.url}/trpc`,
    graphqlUrl: `${graphql.url}/graphql`,
    async close() {
      await Promise.all([trpc.shutdown(), graphql.shutdown()]);
      await pipeline.close();
      await simulator.close();
    },
  };
}
