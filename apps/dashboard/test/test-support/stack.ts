import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createPipeline, parseConfig, type Pipeline, type ServiceHost } from "@keel/core";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { startTrpcService, type AppRouter } from "@keel/trpc";
import { dashboardDirectory } from "../../server/index.ts";

/** The prompt that makes the simulator answer with its toxic preset (held on the `reviewed` route). */
export const TOXIC_PROMPT = "Tell me what you think of me";

export interface DashboardStack {
  simulator: SimulatorHandle;
  pipeline: Pipeline;
  host: ServiceHost;
  /** "http://127.0.0.1:PORT/dashboard/" */
  dashboardUrl: string;
  client: ReturnType<typeof createTRPCClient<AppRouter>>;
  close(): Promise<void>;
}

/**
 * The real parts: the simulator over HTTP (20 ms to first token), the pipeline, the tRPC
 * service serving the built dashboard at /dashboard, and the typed client for traffic.
 * Routes: `gpt-4o-mini` and `support` (same model, another route), `broken` (its target
 * answers 503, no retry), `strict` (blocks secrets in the prompt), `reviewed` (a toxic
 * answer is held for review).
 */
export async function startDashboardStack(): Promise<DashboardStack> {
  const simulator = await startSimulator({
    port: 0,
    latency: { ttftMs: 20 },
    rules: [
      { model: "gpt-4o", fault: { type: "status", status: 503, message: "down for the test" } },
      { promptIncludes: TOXIC_PROMPT, content: "toxic" },
    ],
  });
  const pipeline = createPipeline(
    parseConfig({
      providers: { simulator: { baseURL: simulator.url, apiKey: "test" } },
      models: {
        "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] },
        support: { targets: ["simulator/gpt-4o-mini"] },
        broken: { targets: ["simulator/gpt-4o"] },
        strict: { targets: ["simulator/gpt-4o-mini"], safety: { input: { secrets: { action: "block" } } } },
        reviewed: {
          targets: ["simulator/gpt-4o-mini"],
          safety: { output: { toxicity: { action: "review" } }, review: { ttlSeconds: 3_600 } },
        },
      },
      // No retries: each failed request is one upstream call, and the test stays quick.
      defaults: { policy: { retry: false } },
      telemetry: { log: { level: "silent" } },
    }),
  );
  const host = await startTrpcService({ pipeline, host: "127.0.0.1", port: 0, dashboardDirectory });
  const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${host.url}/trpc` })] });
  return {
    simulator,
    pipeline,
    host,
    dashboardUrl: `${host.url}/dashboard/`,
    client,
    async close() {
      await host.shutdown();
      await pipeline.close();
      await simulator.close();
    },
  };
}

/** Traffic of every kind the overview shows: misses, cache hits, two routes, upstream failures, a rejection. */
export async function sendTraffic(stack: DashboardStack): Promise<void> {
  const ask = (model: string, content: string, temperature = 0) =>
    stack.client.ai.generate.mutate({ model, temperature, messages: [{ role: "user", content }] });
  for (let index = 0; index < 6; index++) await ask("gpt-4o-mini", `question ${index % 3}`);
  for (let index = 0; index < 3; index++) await ask("support", `support question ${index}`, 0.7);
  for (let index = 0; index < 2; index++) await ask("broken", "anything").catch(() => undefined);
  // Caller-caused: an API key in the prompt, blocked by input safety before any upstream call.
  await ask("strict", "my key is sk-proj-Zx81kQm3VtY7pLw2Rn5sHc9dJf4GbE6a").catch(() => undefined);
}

/** Holds `count` answers for review; returns their ids. */
export async function holdForReview(stack: DashboardStack, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const generation = await stack.client.ai.generate.mutate({
      model: "reviewed",
      temperature: 0.7,
      messages: [{ role: "user", content: `${TOXIC_PROMPT} (${index + 1})` }],
    });
    if (generation.review === undefined) throw new Error("expected the answer to be held for review");
    ids.push(generation.review.id);
  }
  return ids;
}
