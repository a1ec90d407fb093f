import { afterEach } from "vitest";
import { createPipeline, type Pipeline, type ServiceHost } from "@keel/core";
import { startGraphqlService } from "@keel/graphql";
import { startOpenaiService } from "@keel/openai";
import { startSimulator, type SimulatorHandle, type SimulatorRule } from "@keel/simulator";
import { startTrpcService } from "@keel/trpc";
import { chaosConfig, type ChaosConfigOptions } from "./chaos-config.ts";
import { createGraphqlAdapter } from "./graphql-adapter.ts";
import { createOpenaiAdapter } from "./openai-adapter.ts";
import type { ServiceAdapter, ServiceKind } from "./service-adapter.ts";
import { createTrpcAdapter } from "./trpc-adapter.ts";

export interface ChaosStack {
  simulator: SimulatorHandle;
  pipeline: Pipeline;
  host: ServiceHost;
  service: ServiceAdapter;
  /** Upstream calls the simulator received for one model. */
  calls(model: string): number;
}

const running = new Set<() => Promise<void>>();

afterEach(async () => {
  const closers = [...running];
  running.clear();
  await Promise.all(closers.map((close) => close()));
});

/**
 * A fresh simulator, pipeline and service for one test (closed after it), so breaker
 * state, rule counters and stats never leak between scenarios.
 */
export async function startChaos(
  kind: ServiceKind,
  options: { rules?: SimulatorRule[]; config?: ChaosConfigOptions } = {},
): Promise<ChaosStack> {
  const simulator = await startSimulator({ rules: options.rules ?? [] });
  const pipeline = createPipeline(chaosConfig(simulator.url, options.config));
  const start = { trpc: startTrpcService, graphql: startGraphqlService, openai: startOpenaiService }[kind];
  const host = await start({ pipeline, host: "127.0.0.1", port: 0 });
  const service = {
    trpc: () => createTrpcAdapter(`${host.url}/trpc`),
    graphql: () => createGraphqlAdapter(`${host.url}/graphql`),
    openai: () => createOpenaiAdapter(`${host.url}/v1`),
  }[kind]();
  running.add(async () => {
    await service.close();
    await host.shutdown();
    await pipeline.close();
    await simulator.close();
  });
  return { simulator, pipeline, host, service, calls: (model) => simulator.stats().calls[model] ?? 0 };
}
