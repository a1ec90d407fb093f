import type { KeelConfig, PipelineJobs, ServiceHost } from "@keel/core";

/** The address the openai SDK uses when a provider names no baseURL. */
const OPENAI_API = "https://api.openai.com/v1";

/**
 * What `pnpm start` prints once everything listens: what Keel talks to (each provider's
 * base URL, so a user sees whether it is the simulator, OpenAI or a local server), the
 * service URLs, whether callers need an API key, and a curl line for each service against
 * a route this config serves (with the key's header when they do).
 */
export function startBanner(options: {
  config: KeelConfig;
  trpc: ServiceHost;
  graphql: ServiceHost;
  openai: ServiceHost;
  simulator: { url: string; origin: string } | undefined;
  jobs?: Pick<PipelineJobs, "queueKind" | "workerInProcess">;
  /** Whether requests need a key now, and the sentence that says so (core's auth gate). */
  auth: { on: boolean; description: string };
  /** Whether the tRPC service serves the dashboard at /dashboard. */
  dashboard?: boolean;
}): string {
  const { config, trpc, graphql, openai, simulator, jobs, auth } = options;
  // Double quotes, so the shell fills in the caller's key.
  const keyHeader = auth.on ? ` -H "authorization: Bearer $KEEL_API_KEY"` : "";
  const providers = Object.entries(config.providers).map(
    ([name, provider]) => `${name} at ${provider.baseURL ?? OPENAI_API}`,
  );
  const route = Object.hasOwn(config.models, "gpt-4o-mini")
    ? "gpt-4o-mini"
    : (Object.keys(config.models)[0] ?? "gpt-4o-mini");
  const body = JSON.stringify({ messages: [{ role: "user", content: "Hi" }], model: route, temperature: 0 });
  const query = JSON.stringify({
    query: `mutation { generate(input: { model: "${route}", messages: [{ role: USER, content: "Hi" }], temperature: 0 }) { id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs } }`,
  });
  return `Keel is running${simulator ? " on the embedded simulator" : ""}; models are answered by ${providers.join(", ")}.

  tRPC     ${trpc.url}/trpc
  GraphQL  ${graphql.url}/graphql
  OpenAI   ${openai.url}/v1  (an OpenAI SDK's baseURL)
${options.dashboard ? `  Dashboard ${trpc.url}/dashboard/\n` : ""}${simulator ? `  Simulator ${simulator.url}  (control API: ${simulator.origin}/_sim/stats)\n` : ""}${jobs ? `  Jobs     ${jobsLine(jobs)}\n` : ""}
${auth.description}

Try:
  curl -s ${trpc.url}/trpc/ai.generate -H 'content-type: application/json' -d '${body}'${keyHeader}
  curl -s ${graphql.url}/graphql -H 'content-type: application/json' -d '${query}'${keyHeader}
  curl -s ${openai.url}/v1/chat/completions -H 'content-type: application/json' -d '${body}'${keyHeader}

Ctrl-C stops Keel.
`;
}

function jobsLine(jobs: Pick<PipelineJobs, "queueKind" | "workerInProcess">): string {
  if (jobs.queueKind === "in-process")
    return "in-process queue and worker (single process, not durable: set REDIS_URL for that)";
  return jobs.workerInProcess
    ? "Redis queue, with a worker in this process (more: pnpm --filter @keel/worker start)"
    : "Redis queue; jobs run on apps/worker (pnpm --filter @keel/worker start)";
}
