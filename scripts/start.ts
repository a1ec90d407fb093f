/**
 * `pnpm start`: runs Keel on this machine. With no settings, the embedded default: the
 * simulator, the tRPC service and the GraphQL service on localhost with an in-memory
 * cache. OPENAI_API_KEY (and OPENAI_BASE_URL) switch to a real provider; KEEL_CONFIG names
 * a config file. Ctrl-C or SIGTERM shuts everything down gracefully.
 */
import { createPipeline, loadConfig, usesEmbeddedSimulator, type ServiceHost } from "@keel/core";
import { startGraphqlService } from "@keel/graphql";
import { startSimulator } from "@keel/simulator";
import { startTrpcService } from "@keel/trpc";

const config = loadConfig(process.env);
const { host, trpcPort, graphqlPort, simulatorPort, shutdownGraceMs } = config.services;

const simulator = usesEmbeddedSimulator(config) ? await startSimulator({ host, port: simulatorPort }) : undefined;
// Each service gets its own pipeline, as separate instances would in production.
const trpcPipeline = createPipeline(config);
const graphqlPipeline = createPipeline(config);
const hosts: ServiceHost[] = [
  await startTrpcService({ pipeline: trpcPipeline, host, port: trpcPort, shutdownGraceMs }),
  await startGraphqlService({ pipeline: graphqlPipeline, host, port: graphqlPort, shutdownGraceMs }),
];
const [trpc, graphql] = hosts as [ServiceHost, ServiceHost];

const body = JSON.stringify({ messages: [{ role: "user", content: "Hi" }], model: "gpt-4o-mini", temperature: 0 });
const query = JSON.stringify({
  query:
    'mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "Hi" }], temperature: 0 }) { id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs } }',
});
console.log(`Keel is running${simulator ? " on the embedded simulator" : ` against ${Object.keys(config.providers).join(", ")}`}.

  tRPC     ${trpc.url}/trpc
  GraphQL  ${graphql.url}/graphql
${simulator ? `  Simulator ${simulator.url}  (control API: ${simulator.origin}/_sim/stats)\n` : ""}
Try:
  curl -s ${trpc.url}/trpc/ai.generate -H 'content-type: application/json' -d '${body}'
  curl -s ${graphql.url}/graphql -H 'content-type: application/json' -d '${query}'
`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: finishing in-flight requests (up to ${shutdownGraceMs} ms)...`);
  await Promise.all(hosts.map((service) => service.shutdown()));
  await Promise.all([trpcPipeline.close(), graphqlPipeline.close()]);
  await simulator?.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
