/**
 * `pnpm start`: runs Keel on this machine. With no settings, the embedded default: the
 * simulator, the tRPC service, the GraphQL service and the OpenAI-compatible service on
 * localhost with an in-memory cache. OPENAI_API_KEY and/or OPENAI_BASE_URL switch to an
 * OpenAI-compatible provider; KEEL_CONFIG names a config file. A configuration or startup problem prints one message
 * and exits 1; Ctrl-C or SIGTERM stops everything gracefully and exits 0.
 */
import {
  checkStartup,
  createPipeline,
  listenError,
  loadConfig,
  runMain,
  usesEmbeddedSimulator,
  type ServiceHost,
} from "@keel/core";
import { startGraphqlService } from "@keel/graphql";
import { startOpenaiService } from "@keel/openai";
import { startSimulator } from "@keel/simulator";
import { startTrpcService } from "@keel/trpc";
import { startBanner } from "./start-banner.ts";

await runMain(async () => {
  const config = loadConfig(process.env);
  await checkStartup(config);
  const { host, trpcPort, graphqlPort, openaiPort, simulatorPort, shutdownGraceMs } = config.services;

  const simulator = usesEmbeddedSimulator(config)
    ? await startSimulator({ host, port: simulatorPort }).catch((error: unknown) => {
        throw listenError(error, { service: "simulator", host, port: simulatorPort });
      })
    : undefined;
  // One pipeline behind every service: one cache and one usage ledger, as instances on one
  // Redis would share. Each request's log line says which service took it.
  const pipeline = createPipeline(config);
  const hosts: ServiceHost[] = [];
  const stop = async () => {
    await Promise.all(hosts.map((service) => service.shutdown()));
    await pipeline.close();
    await simulator?.close();
  };
  try {
    hosts.push(await startTrpcService({ pipeline, host, port: trpcPort, shutdownGraceMs }));
    hosts.push(await startGraphqlService({ pipeline, host, port: graphqlPort, shutdownGraceMs }));
    hosts.push(await startOpenaiService({ pipeline, host, port: openaiPort, shutdownGraceMs }));
  } catch (error) {
    await stop(); // free what did start, so nothing keeps the process (or a port) alive
    throw error;
  }
  const [trpc, graphql, openai] = hosts as [ServiceHost, ServiceHost, ServiceHost];
  console.log(startBanner({ config, trpc, graphql, openai, simulator }));
  return { graceMs: shutdownGraceMs, stop };
});
