import type { KeelConfig, ServiceHost } from "@keel/core";

/** The address the openai SDK uses when a provider names no baseURL. */
const OPENAI_API = "https://api.openai.com/v1";

/**
 * What `pnpm start` prints once everything listens: what Keel talks to (each provider's
 * base URL, so a user sees whether it is the simulator, OpenAI or a local server), the
 * service URLs, and a curl line for each service against a route this config serves.
 */
export function startBanner(options: {
  config: KeelConfig;
  trpc: ServiceHost;
  graphql: ServiceHost;
  openai: ServiceHost;
  simulator: { url: string; origin: string } | undefined;
}): string {
  const { config, trpc, graphql, openai, simulator } = options;
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
${simulator ? `  Simulator ${simulator.url}  (control API: ${simulator.origin}/_sim/stats)\n` : ""}
Try:
  curl -s ${trpc.url}/trpc/ai.generate -H 'content-type: application/json' -d '${body}'
  curl -s ${graphql.url}/graphql -H 'content-type: application/json' -d '${query}'
  curl -s ${openai.url}/v1/chat/completions -H 'content-type: application/json' -d '${body}'

Ctrl-C stops Keel.
`;
}
